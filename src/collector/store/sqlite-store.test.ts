import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { syncTableNames, syncTables } from "~/shared/schemas/tables";
import { SQLITE_CONTRACT_FILE } from "./schema";
import { openStore, type SqliteStore, type TweetInput } from "./sqlite-store";

const projectRoot = path.resolve(import.meta.dirname, "..", "..", "..");

let dir: string;
let store: SqliteStore;
let now: Date;

const tweet = (overrides: Partial<TweetInput> = {}): TweetInput => ({
  status_id: "1894567890123456789",
  author_handle: "Macro_Desk",
  author_id: "1200",
  body: "Rates are moving",
  created_at: "2026-02-25T19:39:12Z",
  mode: "priority",
  like_count: 10,
  is_reply: false,
  ...overrides,
});

beforeEach(() => {
  dir = mkdtempSync(path.join(tmpdir(), "xmon-store-"));
  now = new Date("2026-02-25T20:00:00.000Z");
  store = openStore({ path: path.join(dir, "sub", "x_monitor.db"), clock: () => now });
});

afterEach(() => {
  store.close();
  rmSync(dir, { recursive: true, force: true });
});

describe("opening", () => {
  it("creates the file, the contract tables, WAL mode and a busy timeout", () => {
    expect(existsSync(path.join(dir, "sub", "x_monitor.db"))).toBe(true);
    const tables = store.db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name").pluck().all();
    expect(tables).toEqual([
      "narrative_shifts",
      "reports",
      "runs",
      "tweet_embeddings",
      "tweets",
      "watch_accounts",
      "window_summaries",
    ]);
    expect(store.db.pragma("journal_mode", { simple: true })).toBe("wal");
    expect(store.db.pragma("busy_timeout", { simple: true })).toBe(10_000);
  });

  it("reopens an existing database without losing rows", () => {
    store.upsertTweets([tweet()]);
    const file = store.db.name;
    store.close();
    store = openStore({ path: file, clock: () => now });
    expect(store.countSince("posts", undefined)).toBe(1);
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
    const run = store.recordRunStart("priority");
    expect(run).toMatchObject({
      mode: "priority",
      status: "running",
      run_at: "2026-02-25T20:00:00.000Z",
      finished_at: null,
    });
    now = new Date("2026-02-25T20:01:30.250Z");
    const done = store.finishRun({ runId: run.run_id, status: "success", fetchedCount: 12, newCount: 3 });
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
    expect(() => store.finishRun({ runId: "nope", status: "failed", error: "x" })).toThrow(/no run nope/);
  });

  it("marks runs left running by a crashed process as failed", () => {
    const old = store.recordRunStart("discovery");
    now = new Date("2026-02-25T21:00:00.000Z");
    const recent = store.recordRunStart("priority");
    const finished = store.recordRunStart("priority");
    store.finishRun({ runId: finished.run_id, status: "success" });

    expect(store.markStaleRunsFailed({ startedBefore: "2026-02-25T20:30:00Z" })).toEqual([old.run_id]);
    expect(store.getRun(old.run_id)).toMatchObject({
      status: "failed",
      error: "collector process ended mid-run",
      finished_at: "2026-02-25T21:00:00.000Z",
    });
    expect(store.getRun(recent.run_id)?.status).toBe("running");
    expect(store.markStaleRunsFailed()).toEqual([recent.run_id]);
    expect(store.getRun(finished.run_id)?.status).toBe("success");
  });
});

describe("upsertTweets", () => {
  it("inserts, then updates only what changed, stamping updated_at only on change", () => {
    expect(store.upsertTweets([tweet()])).toEqual({ inserted: ["1894567890123456789"], updated: [], unchanged: 0 });
    const first = store.db.prepare("SELECT * FROM tweets").get() as Record<string, unknown>;
    expect(first).toMatchObject({
      author_handle: "macro_desk",
      created_at: "2026-02-25T19:39:12.000Z",
      collected_at: "2026-02-25T20:00:00.000Z",
      updated_at: "2026-02-25T20:00:00.000Z",
    });

    now = new Date("2026-02-25T20:10:00.000Z");
    // The same instant written with milliseconds is not a change.
    expect(store.upsertTweets([tweet({ created_at: "2026-02-25T19:39:12.000Z" })])).toEqual({
      inserted: [],
      updated: [],
      unchanged: 1,
    });
    expect(store.db.prepare("SELECT updated_at FROM tweets").pluck().get()).toBe("2026-02-25T20:00:00.000Z");

    now = new Date("2026-02-25T20:20:00.000Z");
    expect(store.upsertTweets([tweet({ like_count: 11, mode: "discovery", run_id: "r2" })]).updated).toEqual([
      "1894567890123456789",
    ]);
    const after = store.db.prepare("SELECT * FROM tweets").get() as Record<string, unknown>;
    // First sight stays: collected_at, mode and run_id describe when it was found.
    expect(after).toMatchObject({
      like_count: 11,
      mode: "priority",
      run_id: null,
      collected_at: "2026-02-25T20:00:00.000Z",
      updated_at: "2026-02-25T20:20:00.000Z",
    });
  });

  it("keeps known values when a later fetch lacks them", () => {
    store.upsertTweets([tweet({ view_count: 500, lang: "en" })]);
    expect(store.upsertTweets([tweet({ view_count: null, lang: null })]).unchanged).toBe(1);
    expect(store.db.prepare("SELECT view_count, lang FROM tweets").get()).toEqual({ view_count: 500, lang: "en" });
  });

  it("rolls back the whole batch when one row is invalid", () => {
    expect(() => store.upsertTweets([tweet(), tweet({ status_id: "2", author_handle: "not a handle" })])).toThrow(
      /not an X handle/,
    );
    expect(store.countSince("posts", undefined)).toBe(0);
  });
});

describe("transaction", () => {
  it("commits all writes of a run together or none", () => {
    expect(() =>
      store.transaction(() => {
        store.recordRunStart("priority");
        store.upsertTweets([tweet()]);
        throw new Error("boom");
      }),
    ).toThrow("boom");
    expect(store.countSince("pipelineRuns", undefined)).toBe(0);
    expect(store.countSince("posts", undefined)).toBe(0);

    store.transaction(() => {
      store.recordRunStart("priority");
      store.upsertTweets([tweet()]);
    });
    expect(store.countSince("posts", undefined)).toBe(1);
  });

  it("refuses an async body and rolls back", () => {
    expect(() =>
      store.transaction(() => {
        store.recordRunStart("priority");
        return Promise.resolve(1);
      }),
    ).toThrow(/synchronous/);
    expect(store.countSince("pipelineRuns", undefined)).toBe(0);
  });
});

describe("other tables", () => {
  it("upserts embeddings, window summaries, shifts and reports idempotently", () => {
    const emb = { status_id: "1", model: "m", vector: [0.5, -0.25, 1] };
    const win = {
      window_id: "discovery:2026-02-25T18:00:00Z/PT6H",
      mode: "discovery",
      window_start: "2026-02-25T18:00:00Z",
      window_end: "2026-02-26T00:00:00Z",
      post_count: 2,
      summary_md: "s",
      top_status_ids: ["1", "2"],
    };
    const shift = {
      shift_id: "s1",
      topic: "tariffs",
      detected_at: "2026-02-25T20:00:00Z",
      window_id: win.window_id,
      magnitude: 0.4,
      description: "d",
      status_ids: ["1"],
    };
    const report = {
      report_id: "r1",
      run_id: null,
      kind: "priority-digest",
      title: "t",
      body_md: "b",
      status_ids: ["1"],
    };
    expect(store.upsertEmbeddings([emb]).inserted).toEqual(["1"]);
    expect(store.upsertWindowSummaries([win]).inserted).toEqual([win.window_id]);
    expect(store.insertNarrativeShifts([shift]).inserted).toEqual(["s1"]);
    expect(store.insertReport(report).inserted).toEqual(["r1"]);

    now = new Date("2026-02-25T21:00:00.000Z");
    expect(store.upsertEmbeddings([emb]).unchanged).toBe(1);
    expect(store.upsertWindowSummaries([win]).unchanged).toBe(1);
    expect(store.insertNarrativeShifts([shift]).unchanged).toBe(1);
    expect(store.insertReport(report).unchanged).toBe(1);
    expect(store.upsertWindowSummaries([{ ...win, post_count: 3 }]).updated).toEqual([win.window_id]);
    expect(store.upsertEmbeddings([{ ...emb, vector: [1, 0, 0] }]).updated).toEqual(["1"]);

    expect(store.db.prepare("SELECT created_at, updated_at FROM window_summaries").get()).toEqual({
      created_at: "2026-02-25T20:00:00.000Z",
      updated_at: "2026-02-25T21:00:00.000Z",
    });
    expect(() => store.insertNarrativeShifts([{ ...shift, magnitude: 1.5 }])).toThrow(/0..1/);
  });

  it("finds the newest status id numerically and stored embeddings by model", () => {
    store.upsertTweets([
      tweet({ status_id: "999" }),
      tweet({ status_id: "1000", author_handle: "other" }),
      tweet({ status_id: "998" }),
    ]);
    expect(store.newestStatusId()).toBe("1000");
    expect(store.newestStatusId({ authorHandle: "@MACRO_DESK" })).toBe("999");
    expect(store.newestStatusId({ mode: "discovery" })).toBeUndefined();
    store.upsertEmbeddings([{ status_id: "999", model: "a", vector: [1, 2] }]);
    expect([...store.getEmbeddings({ statusIds: ["999", "998"], model: "a" })]).toEqual([["999", [1, 2]]]);
    expect(store.getEmbeddings({ statusIds: ["999"], model: "b" }).size).toBe(0);
  });

  it("lists posts published in a half-open range", () => {
    store.upsertTweets([
      tweet({ status_id: "1", created_at: "2026-02-25T18:00:00Z" }),
      tweet({ status_id: "2", created_at: "2026-02-25T23:59:59.999Z", mode: "discovery" }),
      tweet({ status_id: "3", created_at: "2026-02-26T00:00:00Z" }),
    ]);
    const ids = (mode?: string) =>
      store
        .listTweetsPublishedBetween({ from: "2026-02-25T18:00:00Z", to: "2026-02-26T00:00:00Z", mode })
        .map((t) => t.status_id);
    expect(ids()).toEqual(["1", "2"]);
    expect(ids("discovery")).toEqual(["2"]);
  });
});

describe("readChangedSince and countSince", () => {
  // Rows as an older collector wrote them: times without milliseconds.
  function insertLegacyRows() {
    const t = "2026-02-25T19:39:12Z";
    store.db
      .prepare(
        `INSERT INTO tweets (status_id, author_handle, body, created_at, collected_at, mode, is_reply, is_repost, updated_at) VALUES ('10', 'old', 'legacy', ?, ?, 'priority', 1, 0, ?)`,
      )
      .run(t, t, t);
    store.db
      .prepare(
        `INSERT INTO runs (run_id, mode, run_at, status, updated_at) VALUES ('run-old', 'priority', ?, 'success', ?)`,
      )
      .run(t, t);
    store.db
      .prepare(
        `INSERT INTO reports (report_id, kind, title, body_md, status_ids, created_at, updated_at) VALUES ('rep-old', 'alert', 'T', 'B', '["10"]', ?, ?)`,
      )
      .run(t, t);
    store.db
      .prepare(
        `INSERT INTO watch_accounts (handle, tier, active, added_at, updated_at) VALUES ('old', 'priority', 0, ?, ?)`,
      )
      .run(t, t);
    store.db
      .prepare(
        `INSERT INTO tweet_embeddings (status_id, model, dims, vector, created_at, updated_at) VALUES ('10', 'm', 2, ?, ?, ?)`,
      )
      .run(Buffer.from([0, 0, 128, 63, 0, 0, 0, 192]), t, t);
    store.db
      .prepare(
        `INSERT INTO window_summaries (window_id, mode, window_start, window_end, post_count, summary_md, top_status_ids, created_at, updated_at) VALUES ('w', 'priority', ?, ?, 1, 's', '["10"]', ?, ?)`,
      )
      .run(t, t, t, t);
    store.db
      .prepare(
        `INSERT INTO narrative_shifts (shift_id, topic, detected_at, magnitude, description, status_ids, created_at, updated_at) VALUES ('sh', 'x', ?, 0.5, 'd', 'not json', ?, ?)`,
      )
      .run(t, t, t);
  }

  it("includes a legacy second-precision row at exactly `since`, in both forms of since", () => {
    insertLegacyRows();
    for (const since of ["2026-02-25T19:39:12Z", "2026-02-25T19:39:12.000Z"]) {
      for (const table of syncTableNames) {
        expect([...store.readChangedSince(table, since)], `${table} since ${since}`).toHaveLength(1);
        expect(store.countSince(table, since), `${table} since ${since}`).toBe(1);
      }
    }
    for (const table of syncTableNames) {
      // Text comparison would put "…12Z" after "…12.001Z"; by instant it is before.
      expect([...store.readChangedSince(table, "2026-02-25T19:39:12.001Z")]).toHaveLength(0);
      expect(store.countSince(table, "2026-02-25T19:39:12.001Z")).toBe(0);
    }
  });

  it("converts rows to items the shared schemas accept", () => {
    insertLegacyRows();
    const all = Object.fromEntries(syncTableNames.map((t) => [t, [...store.readChangedSince(t)]]));
    expect(all.posts?.[0]).toMatchObject({ status_id: "10", is_reply: true, is_repost: false });
    expect(all.reports?.[0]).toMatchObject({ status_ids: ["10"] });
    expect(all.watchAccounts?.[0]).toMatchObject({ handle: "old", active: false });
    expect(all.embeddings?.[0]).toMatchObject({ dims: 2, vector: [1, -2] });
    expect(all.windowSummaries?.[0]).toMatchObject({ top_status_ids: ["10"] });
    // Undecodable legacy JSON is passed on as is, for the server to reject that one item.
    expect(all.narrativeShifts?.[0]).toMatchObject({ status_ids: "not json" });
    for (const table of syncTableNames) {
      for (const item of all[table] ?? []) {
        const parsed = syncTables[table].schema.safeParse(item);
        expect(parsed.success, `${table}: ${JSON.stringify(parsed.error?.issues)}`).toBe(
          table === "narrativeShifts" ? false : true,
        );
      }
    }
  });

  it("streams rows changed since a time, oldest change first, and counts by the source time column", () => {
    store.upsertTweets([tweet({ status_id: "1" })]);
    now = new Date("2026-02-25T21:00:00.000Z");
    store.upsertTweets([tweet({ status_id: "2" })]);
    now = new Date("2026-02-25T22:00:00.000Z");
    store.upsertTweets([tweet({ status_id: "1", like_count: 99 })]);

    expect([...store.readChangedSince("posts", "2026-02-25T21:00:00Z")].map((p) => p.status_id)).toEqual(["2", "1"]);
    // collected_at, not updated_at: the update of post 1 does not make it count again.
    expect(store.countSince("posts", "2026-02-25T21:00:00Z")).toBe(1);
    expect(store.countSince("posts", undefined)).toBe(2);

    const iterator = store.readChangedSince("posts");
    expect(iterator.next().value).toMatchObject({ status_id: "2" });
    iterator.return(undefined);
    // A returned iterator frees the connection for writes.
    expect(store.upsertTweets([tweet({ status_id: "3" })]).inserted).toEqual(["3"]);
  });
});

describe("watch accounts", () => {
  it("adds, lists, retiers, deactivates and reactivates with normalised handles", () => {
    expect(store.watchAccounts.add({ handle: "@Macro_Desk", tier: "priority", note: "rates" })).toMatchObject({
      created: true,
      account: { handle: "macro_desk", tier: "priority", active: true, note: "rates" },
    });
    store.watchAccounts.add({ handle: "policywonk", tier: "discovery" });
    expect(store.watchAccounts.list().map((a) => a.handle)).toEqual(["macro_desk", "policywonk"]);
    expect(store.watchAccounts.list({ tier: "discovery" }).map((a) => a.handle)).toEqual(["policywonk"]);

    now = new Date("2026-02-25T21:00:00.000Z");
    expect(store.watchAccounts.setTier("MACRO_DESK", "priority")).toBe(true);
    expect(store.watchAccounts.get("macro_desk")?.updated_at).toBe("2026-02-25T20:00:00.000Z");
    expect(store.watchAccounts.setTier("macro_desk", "discovery")).toBe(true);
    expect(store.watchAccounts.get("macro_desk")).toMatchObject({
      tier: "discovery",
      updated_at: "2026-02-25T21:00:00.000Z",
    });
    expect(store.watchAccounts.setUserId("macro_desk", "1200")).toBe(true);
    expect(store.watchAccounts.setTier("ghost", "priority")).toBe(false);

    expect(store.watchAccounts.remove("@macro_desk")).toBe(true);
    expect(store.watchAccounts.remove("macro_desk")).toBe(false);
    expect(store.watchAccounts.list().map((a) => a.handle)).toEqual(["policywonk"]);
    expect(store.watchAccounts.list({ includeInactive: true })).toHaveLength(2);

    const again = store.watchAccounts.add({ handle: "macro_desk", tier: "priority" });
    expect(again).toMatchObject({
      created: false,
      account: { active: true, tier: "priority", note: "rates", user_id: "1200", added_at: "2026-02-25T20:00:00.000Z" },
    });
    expect(() => store.watchAccounts.add({ handle: "bad handle", tier: "priority" })).toThrow(/not an X handle/);
  });
});

describe("readChangedPage", () => {
  it("pages through ties on updated_at by key, every row once, with no statement left open between pages", () => {
    const insert = store.db.prepare(
      "INSERT INTO watch_accounts (handle, tier, added_at, updated_at) VALUES (?, 'priority', ?, ?)",
    );
    const times = ["2026-02-25T19:00:00.000Z", "2026-02-25T19:00:00Z", "2026-02-25T20:00:00.000Z"];
    for (let i = 0; i < 30; i++) insert.run(`acct_${String(i).padStart(2, "0")}`, times[i % 3], times[i % 3]);
    const seen: string[] = [];
    for (
      let page = store.readChangedPage("watchAccounts", "2026-02-25T18:00:00Z", null, 7);
      page.items.length > 0;
      page = store.readChangedPage("watchAccounts", "2026-02-25T18:00:00Z", page.next, 7)
    ) {
      seen.push(...page.items.map((a) => a.handle));
      // A write between pages (another job, or after a failed push) must not find the connection busy.
      store.db.prepare("UPDATE watch_accounts SET note = 'touched' WHERE handle = 'nobody'").run();
    }
    expect(seen).toHaveLength(30);
    expect(new Set(seen).size).toBe(30);
    // Both spellings of 19:00 are the same instant: those 20 rows come first, by key.
    expect(seen.slice(0, 20)).toEqual([...seen.slice(0, 20)].sort());
    expect(seen.slice(20).every((h) => Number(h.slice(5)) % 3 === 2)).toBe(true);
    expect([...store.readChangedSince("watchAccounts", "2026-02-25T19:30:00Z")]).toHaveLength(10);
  });
});
