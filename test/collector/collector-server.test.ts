// The collector against the real app (production build on a loopback port)
// over a real PostgreSQL: runs land on the server, an outage fails and
// alerts, the next success resets and delivers what was missed, reconcile
// passes and catches a server-side loss, catch-up with an admin key lands
// every table. Retries use a recording sleep, never real time.
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { describeIngestWindow } from "~/shared/ingest-window";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { syncTableNames } from "~/shared/schemas/tables";
import { createTestDatabase, type TestDatabase } from "../support/database";
import { principalFor } from "../support/fixtures";
import { startAppServer, type AppServer } from "../support/app-server";
import { parseCollectorEnv } from "../../src/collector/config";
import { createCollectorContext, type CollectorContext } from "../../src/collector/context";
import { accountsAdd } from "../../src/collector/commands/accounts";
import { catchUpCommand } from "../../src/collector/commands/catch-up";
import { reconcileCommand } from "../../src/collector/commands/reconcile";
import { runCommand } from "../../src/collector/commands/run";
import { createMemoryLog } from "../../src/collector/log";
import { writeReplayFile } from "../../src/collector/sources/replay-generator";
import { createTrpcCalls } from "../../src/collector/uplink/server-calls";
import { collectorFiles } from "../support/collector-env";

let t: TestDatabase;
let app: AppServer;
let dir: string;
let ingestKey: string;
let adminKey: string;
let clock = new Date("2026-11-21T00:00:00Z");
const sleeps: number[] = [];

beforeAll(async () => {
  t = await createTestDatabase();
  ingestKey = (await principalFor(t.db, "ingest")).key;
  adminKey = (await principalFor(t.db, "admin")).key;
  app = await startAppServer({ databaseUrl: t.url });
  dir = mkdtempSync(path.join(tmpdir(), "xm-collector-"));
  await writeReplayFile({
    file: path.join(dir, "replay.jsonl"),
    seed: 7,
    count: 400,
    start: "2026-11-20T00:00:00Z",
    end: "2026-11-22T12:00:00Z",
  });
  writeFileSync(path.join(dir, "queries.txt"), '# discovery\n"export controls" OR chips\nlang:en -is:retweet grid\n');
}, 180_000);

afterAll(async () => {
  await app?.stop();
  await t?.drop();
  rmSync(dir, { recursive: true, force: true });
});

function context(overrides: Record<string, string> = {}) {
  const log = createMemoryLog();
  const config = parseCollectorEnv({
    ...collectorFiles(dir),
    XMONITOR_DISCOVERY_QUERIES_FILE: path.join(dir, "queries.txt"),
    XMONITOR_API_BASE_URL: app.baseUrl,
    XMONITOR_API_KEY: ingestKey,
    XMONITOR_COLLECTOR_NAME: "test-box",
    XMONITOR_INGEST_MAX_ATTEMPTS: "3",
    XMONITOR_INGEST_INITIAL_BACKOFF_SECONDS: "1",
    ...overrides,
  });
  const ctx: CollectorContext = createCollectorContext(config, {
    log,
    now: () => clock,
    retry: { random: () => 1, sleep: async (ms) => void sleeps.push(ms) },
  });
  return { ctx, log };
}

async function serverCount(table: string): Promise<number> {
  const rows = await t.db.$queryRawUnsafe<{ n: number }[]>(`select count(*)::int as n from "${table}"`);
  return rows[0]!.n;
}

describe("collector against the real server", () => {
  it("lands a run's rows on the server", async () => {
    const { ctx, log } = context();
    for (const handle of ["macro_desk", "policywonk", "ai_lab_notes", "chipwatch"])
      accountsAdd(ctx, { handle, tier: "priority" });
    const result = await runCommand(ctx, { mode: "priority" });
    expect(result.exitCode, log.lines.join("\n")).toBe(0);
    expect(result.collected?.newPosts).toBeGreaterThan(10);
    expect(log.lines.some((l) => /^api ingest ok mode=priority batches=\d+ posts=\d+\/0\/0\/0/.test(l))).toBe(true);
    const localIds = ctx.store.db.prepare("select status_id from tweets order by 1").pluck().all();
    const serverIds = (await t.db.post.findMany({ select: { statusId: true }, orderBy: { statusId: "asc" } })).map(
      (p) => p.statusId,
    );
    expect(serverIds).toEqual(localIds);
    for (const [sqlite, server] of [
      ["runs", "pipeline_runs"],
      ["reports", "reports"],
      ["window_summaries", "window_summaries"],
    ] as const) {
      const local = ctx.store.db.prepare(`select count(*) from ${sqlite}`).pluck().get();
      expect({ table: server, n: await serverCount(server) }).toEqual({ table: server, n: local });
    }
    // The ingest key may not write these: the collector does not send them (no rejects).
    expect(await serverCount("embeddings")).toBe(0);
    expect(await t.db.ingestReject.count()).toBe(0);
    // Each batch carries the window the collector logged: the run page shows the same line.
    const windowLine = log.lines.find((l) => l.startsWith("ingest: mode=priority"))!;
    const batches = await t.db.ingestBatch.findMany({ where: { runId: result.collected!.run.run_id } });
    expect(batches.length).toBeGreaterThan(0);
    for (const b of batches) {
      expect(b).toMatchObject({ lookbackSeconds: 900, maxAttempts: 3 });
      const shown = describeIngestWindow({
        mode: b.mode,
        since: b.since?.toISOString() ?? null,
        lookbackSeconds: b.lookbackSeconds,
        maxAttempts: b.maxAttempts,
      });
      expect(`ingest: ${shown}`).toBe(windowLine);
    }
    ctx.store.close();
  });

  it("fails twice against an unreachable server, alerting on the second, with configured backoff", async () => {
    for (const attempt of [1, 2]) {
      clock = new Date(clock.getTime() + 2 * 3_600_000);
      sleeps.length = 0;
      const { ctx, log } = context({ XMONITOR_API_BASE_URL: "http://127.0.0.1:9" });
      const result = await runCommand(ctx, { mode: "priority" });
      expect(result.exitCode).toBe(1);
      expect(result.collected).not.toBeNull();
      expect(result.collected?.error).toBeUndefined();
      expect(sleeps, log.lines.join("\n")).toEqual([1000, 2000]);
      expect(log.lines).toContainEqual(
        expect.stringMatching(
          new RegExp(`^api ingest failed mode=priority consecutive_failures=${attempt}: .*127\\.0\\.0\\.1:9`),
        ),
      );
      const alert = log.lines.find((l) => l.startsWith("ALERT:"));
      if (attempt === 1) expect(alert).toBeUndefined();
      else
        expect(alert).toMatch(
          /^ALERT: ingest failures threshold reached mode=priority consecutive_failures=2 threshold=2 last_error=.*127\.0\.0\.1:9/,
        );
      expect(ctx.health.get("priority").consecutive_failures).toBe(attempt);
      ctx.store.close();
    }
  });

  it("resets the failure count on the next success and delivers the missed rows", async () => {
    clock = new Date(clock.getTime() + 2 * 3_600_000);
    const { ctx, log } = context();
    const result = await runCommand(ctx, { mode: "priority" });
    expect(result.exitCode, log.lines.join("\n")).toBe(0);
    expect(log.lines).toContainEqual(expect.stringMatching(/catching up after 2 failed ingest cycle\(s\)/));
    expect(log.lines).toContainEqual(
      expect.stringMatching(/^RECOVERED: ingest failures reset mode=priority previous_consecutive_failures=2/),
    );
    expect(ctx.health.get("priority").consecutive_failures).toBe(0);
    const localIds = ctx.store.db.prepare("select status_id from tweets order by 1").pluck().all();
    const serverIds = (await t.db.post.findMany({ select: { statusId: true }, orderBy: { statusId: "asc" } })).map(
      (p) => p.statusId,
    );
    expect(serverIds).toEqual(localIds);
    const health = await t.db.collectorHealth.findUniqueOrThrow({
      where: { collector_mode: { collector: "test-box", mode: "priority" } },
    });
    expect(health.consecutiveFailures).toBe(0);
    expect(health.lastFailureAt).not.toBeNull();
    ctx.store.close();
  });

  it("reconciles PASS, then FAIL with the right delta when a row is deleted on the server", async () => {
    const since = "2026-11-01T00:00:00Z";
    const { ctx, log } = context();
    const pass = await reconcileCommand(ctx, { since });
    expect(pass.exitCode, log.lines.join("\n")).toBe(0);
    expect(log.lines).toContain("reconcile PASS");
    expect(pass.rows.filter((r) => r.synced).every((r) => r.delta === 0)).toBe(true);

    const victim = await t.db.post.findFirstOrThrow({ orderBy: { statusId: "asc" } });
    await t.db.post.delete({ where: { statusId: victim.statusId } });
    log.lines.length = 0;
    const fail = await reconcileCommand(ctx, { since });
    expect(fail.exitCode).toBe(1);
    expect(fail.rows.find((r) => r.table === "posts")).toMatchObject({ delta: 1 });
    expect(log.lines).toContainEqual(expect.stringMatching(/^reconcile FAIL: tweets \+1 /));
    expect(await t.db.reconcileResult.count({ where: { collector: "test-box" } })).toBe(2);
    ctx.store.close();
  });

  it("reads 1,000 rows by key in one call (queries travel as POST, not in the URL)", async () => {
    const api = createTrpcCalls({ baseUrl: app.baseUrl, apiKey: ingestKey });
    const stored = await t.db.post.findMany({ select: { statusId: true }, take: 10 });
    expect(stored.length).toBeGreaterThan(0);
    // 1,000 ids of 19 digits: about 27 KB URL-encoded, past Node's 16 KB header limit as a GET.
    const keys = [
      ...stored.map((p) => p.statusId),
      ...Array.from({ length: 1000 - stored.length }, (_, i) => String(1_800_000_000_000_000_000n + BigInt(i))),
    ];
    const rows = await api.rowsByKeys({ table: "posts", keys });
    expect(rows.map((r) => r.status_id).sort()).toEqual(stored.map((p) => p.statusId).sort());
  });

  it("catch-up with an admin key lands every table, and reconcile passes on all seven", async () => {
    const { ctx, log } = context({ XMONITOR_API_KEY: adminKey });
    const caught = await catchUpCommand(ctx, { since: "2026-11-01T00:00:00Z" });
    expect(caught.exitCode, log.lines.join("\n")).toBe(0);
    expect(caught.totals!.tables.posts.inserted).toBe(1);
    expect(caught.totals!.tables.watchAccounts.inserted).toBe(4);
    expect(log.lines).toContainEqual(expect.stringMatching(/^catch-up: batch 1 /));
    const caughtBatches = await t.db.ingestBatch.findMany({ where: { mode: "catch-up" } });
    expect(caughtBatches.map((b) => [b.since?.toISOString(), b.lookbackSeconds, b.maxAttempts])).toEqual(
      caughtBatches.map(() => ["2026-11-01T00:00:00.000Z", 0, 3]),
    );
    log.lines.length = 0;
    const result = await reconcileCommand(ctx, { since: "2026-11-01T00:00:00Z" });
    expect(result.exitCode, log.lines.join("\n")).toBe(0);
    expect(result.rows.map((r) => [r.table, r.synced, r.delta])).toEqual(
      syncTableNames.map((tname) => [tname, true, 0]),
    );
    expect(result.rows.find((r) => r.table === "embeddings")!.local).toBeGreaterThan(0);
    ctx.store.close();
  });
});
