import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { tweet, useTempStore } from "../../../test/support/temp-store";
import { SQLITE_CONTRACT_FILE } from "./schema";
import { openStore } from "./sqlite-store";

const projectRoot = path.resolve(import.meta.dirname, "..", "..", "..");
const t = useTempStore();

describe("opening", () => {
  it("creates the file, the contract tables, WAL mode and a busy timeout", () => {
    expect(existsSync(path.join(t.dir, "sub", "x_monitor.db"))).toBe(true);
    const tables = t.store.db
      .prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")
      .pluck()
      .all();
    expect(tables).toEqual([
      "narrative_shifts",
      "reports",
      "runs",
      "tweet_embeddings",
      "tweets",
      "watch_accounts",
      "window_summaries",
    ]);
    expect(t.store.db.pragma("journal_mode", { simple: true })).toBe("wal");
    expect(t.store.db.pragma("busy_timeout", { simple: true })).toBe(10_000);
  });

  it("reopens an existing database without losing rows", () => {
    t.store.upsertTweets([tweet()]);
    const file = t.store.db.name;
    t.store.close();
    t.store = openStore({ path: file, clock: () => t.now });
    expect(t.store.countSince("posts", undefined)).toBe(1);
  });

  it("keeps the project's copy of the contract identical to the shared original, where a checkout has it beside", () => {
    // The shared contract sits next to the project in the team's workspace, not in every clone.
    const shared = path.join(projectRoot, "..", "shared", "contracts", "x_monitor.sqlite.sql");
    if (!existsSync(shared)) return;
    expect(readFileSync(SQLITE_CONTRACT_FILE, "utf8")).toBe(readFileSync(shared, "utf8"));
  });
});

describe("runs", () => {
  it("records a start and a finish with counts, in UTC milliseconds", () => {
    const run = t.store.recordRunStart("priority");
    expect(run).toMatchObject({
      mode: "priority",
      status: "running",
      run_at: "2026-02-25T20:00:00.000Z",
      finished_at: null,
    });
    t.now = new Date("2026-02-25T20:01:30.250Z");
    const done = t.store.finishRun({ runId: run.run_id, status: "success", fetchedCount: 12, newCount: 3 });
    expect(done).toMatchObject({
      status: "success",
      fetched_count: 12,
      new_count: 3,
      finished_at: "2026-02-25T20:01:30.250Z",
      updated_at: "2026-02-25T20:01:30.250Z",
      error: null,
    });
  });

  it("refuses to finish an unknown run", () => {
    expect(() => t.store.finishRun({ runId: "nope", status: "failed", error: "x" })).toThrow(/no run nope/);
  });

  it("marks runs left running by a crashed process as failed", () => {
    const old = t.store.recordRunStart("discovery");
    t.now = new Date("2026-02-25T21:00:00.000Z");
    const recent = t.store.recordRunStart("priority");
    const finished = t.store.recordRunStart("priority");
    t.store.finishRun({ runId: finished.run_id, status: "success" });

    expect(t.store.markStaleRunsFailed({ startedBefore: "2026-02-25T20:30:00Z" })).toEqual([old.run_id]);
    expect(t.store.getRun(old.run_id)).toMatchObject({
      status: "failed",
      error: "collector process ended mid-run",
      finished_at: "2026-02-25T21:00:00.000Z",
    });
    expect(t.store.getRun(recent.run_id)?.status).toBe("running");
    expect(t.store.markStaleRunsFailed()).toEqual([recent.run_id]);
    expect(t.store.getRun(finished.run_id)?.status).toBe("success");
  });
});

describe("transaction", () => {
  it("commits all writes of a run together or none", () => {
    expect(() =>
      t.store.transaction(() => {
        t.store.recordRunStart("priority");
        t.store.upsertTweets([tweet()]);
        throw new Error("boom");
      }),
    ).toThrow("boom");
    expect(t.store.countSince("pipelineRuns", undefined)).toBe(0);
    expect(t.store.countSince("posts", undefined)).toBe(0);

    t.store.transaction(() => {
      t.store.recordRunStart("priority");
      t.store.upsertTweets([tweet()]);
    });
    expect(t.store.countSince("posts", undefined)).toBe(1);
  });

  it("refuses an async body and rolls back", () => {
    expect(() =>
      t.store.transaction(() => {
        t.store.recordRunStart("priority");
        return Promise.resolve(1);
      }),
    ).toThrow(/synchronous/);
    expect(t.store.countSince("pipelineRuns", undefined)).toBe(0);
  });
});

describe("watch accounts", () => {
  it("adds, lists, retiers, deactivates and reactivates with normalised handles", () => {
    expect(t.store.watchAccounts.add({ handle: "@Macro_Desk", tier: "priority", note: "rates" })).toMatchObject({
      created: true,
      account: { handle: "macro_desk", tier: "priority", active: true, note: "rates" },
    });
    t.store.watchAccounts.add({ handle: "policywonk", tier: "discovery" });
    expect(t.store.watchAccounts.list().map((a) => a.handle)).toEqual(["macro_desk", "policywonk"]);
    expect(t.store.watchAccounts.list({ tier: "discovery" }).map((a) => a.handle)).toEqual(["policywonk"]);

    t.now = new Date("2026-02-25T21:00:00.000Z");
    expect(t.store.watchAccounts.setTier("MACRO_DESK", "priority")).toBe(true);
    expect(t.store.watchAccounts.get("macro_desk")?.updated_at).toBe("2026-02-25T20:00:00.000Z");
    expect(t.store.watchAccounts.setTier("macro_desk", "discovery")).toBe(true);
    expect(t.store.watchAccounts.get("macro_desk")).toMatchObject({
      tier: "discovery",
      updated_at: "2026-02-25T21:00:00.000Z",
    });
    expect(t.store.watchAccounts.setUserId("macro_desk", "1200")).toBe(true);
    expect(t.store.watchAccounts.setTier("ghost", "priority")).toBe(false);

    expect(t.store.watchAccounts.remove("@macro_desk")).toBe(true);
    expect(t.store.watchAccounts.remove("macro_desk")).toBe(false);
    expect(t.store.watchAccounts.list().map((a) => a.handle)).toEqual(["policywonk"]);
    expect(t.store.watchAccounts.list({ includeInactive: true })).toHaveLength(2);

    const again = t.store.watchAccounts.add({ handle: "macro_desk", tier: "priority" });
    expect(again).toMatchObject({
      created: false,
      account: { active: true, tier: "priority", note: "rates", user_id: "1200", added_at: "2026-02-25T20:00:00.000Z" },
    });
    expect(() => t.store.watchAccounts.add({ handle: "bad handle", tier: "priority" })).toThrow(/not an X handle/);
  });
});
