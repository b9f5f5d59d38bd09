// Three collectors pushing to one real app (production build) over a real
// PostgreSQL, with overlapping accounts: a handle two of them watch with
// different tiers, posts two of them see. Each one's reconcile passes, no
// push changes another collector's rows, and cutover validate on each one's
// snapshot finds every delta 0 (docs/decisions/012). Then a priority run held
// in progress while reconcile runs: reconcile waits for it and passes.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { syncTableNames, syncTables, type SyncTable } from "~/shared/schemas/tables";
import { isCollectorOwned } from "~/shared/table-catalog";
import { parseCollectorEnv } from "../../src/collector/config";
import { createCollectorContext, type CollectorContext } from "../../src/collector/context";
import { accountsAdd } from "../../src/collector/commands/accounts";
import { catchUpCommand } from "../../src/collector/commands/catch-up";
import { cutoverSnapshot, cutoverValidate } from "../../src/collector/commands/cutover";
import { reconcileCommand } from "../../src/collector/commands/reconcile";
import { runCommand } from "../../src/collector/commands/run";
import { diffFields, parseLocalItem } from "../../src/collector/cutover/compare";
import { createMemoryLog } from "../../src/collector/log";
import { writeReplayFile } from "../../src/collector/sources/replay-generator";
import { rowToItem } from "../../src/collector/store/items";
import { startAppServer, type AppServer } from "../support/app-server";
import { collectorFiles } from "../support/collector-env";
import { createTestDatabase, type TestDatabase } from "../support/database";
import { principalFor } from "../support/fixtures";

const SINCE = "2026-11-01T00:00:00Z";
const NAMES = ["box-a", "box-b", "box-c"] as const;
type Name = (typeof NAMES)[number];

let t: TestDatabase;
let app: AppServer;
let dir: string;
const keys = {} as Record<Name | "admin", string>;
let clock = Date.parse("2026-11-21T00:00:00Z");

beforeAll(async () => {
  t = await createTestDatabase();
  keys.admin = (await principalFor(t.db, "admin")).key;
  // box-a and box-b push with an admin key (every table); box-c with an ingest key bound to it.
  keys["box-a"] = keys.admin;
  keys["box-b"] = (await principalFor(t.db, "admin")).key;
  keys["box-c"] = (await principalFor(t.db, "ingest", { collector: "box-c" })).key;
  app = await startAppServer({ databaseUrl: t.url });
  dir = mkdtempSync(path.join(tmpdir(), "xm-many-"));
  await writeReplayFile({
    file: path.join(dir, "replay.jsonl"),
    seed: 5,
    count: 300,
    start: "2026-11-20T00:00:00Z",
    end: "2026-11-22T12:00:00Z",
  });
  writeFileSync(path.join(dir, "queries.txt"), "# discovery\nlang:en -is:retweet grid\n");
}, 180_000);

afterAll(async () => {
  await app?.stop();
  await t?.drop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

function context(name: Name, overrides: Record<string, string> = {}) {
  const home = path.join(dir, name);
  mkdirSync(home, { recursive: true });
  const log = createMemoryLog();
  const config = parseCollectorEnv({
    ...collectorFiles(home),
    XMONITOR_REPLAY_FILE: path.join(dir, "replay.jsonl"),
    XMONITOR_DISCOVERY_QUERIES_FILE: path.join(dir, "queries.txt"),
    XMONITOR_API_BASE_URL: app.baseUrl,
    XMONITOR_API_KEY: keys[name],
    XMONITOR_COLLECTOR_NAME: name,
    XMONITOR_INGEST_MAX_ATTEMPTS: "2",
    ...overrides,
  });
  const ctx = createCollectorContext(config, {
    log,
    now: () => new Date(clock),
    retry: { random: () => 0, sleep: async () => {} },
  });
  return { ctx, log, home };
}

/** Every local row of a table the collectors own, as the server would store it. */
function localItems(ctx: CollectorContext, table: SyncTable): Map<string, Record<string, unknown>> {
  const { sqlite, key } = syncTables[table];
  const rows = ctx.store.db.prepare(`select * from ${sqlite} order by ${key}`).all() as Record<string, unknown>[];
  return new Map(rows.map((row) => [String(row[key]), parseLocalItem(table, rowToItem(table, row)).item]));
}

async function run(
  name: Name,
  mode: "priority" | "discovery",
  watch: [string, "priority" | "discovery", string][] = [],
) {
  clock += 600_000;
  const { ctx, log } = context(name);
  for (const [handle, tier, note] of watch) accountsAdd(ctx, { handle, tier, note });
  const result = await runCommand(ctx, { mode });
  expect(result.exitCode, log.lines.join("\n")).toBe(0);
  ctx.store.close();
}

describe("three collectors on one server", () => {
  it("each keeps its own rows: reconcile PASSes for every one, and no push changes another's rows", async () => {
    const watch: Record<Name, [string, "priority" | "discovery", string][]> = {
      "box-a": [
        ["policywonk", "priority", "a: core account"],
        ["macro_desk", "priority", "a"],
      ],
      "box-b": [
        ["policywonk", "discovery", "b: background only"],
        ["chipwatch", "priority", "b"],
      ],
      "box-c": [
        ["macro_desk", "priority", "c"],
        ["ai_lab_notes", "priority", "c"],
      ],
    };
    // Interleaved, so every collector's push lands on rows others pushed before.
    await run("box-a", "priority", watch["box-a"]);
    await run("box-b", "priority", watch["box-b"]);
    await run("box-c", "priority", watch["box-c"]);
    await run("box-b", "discovery");
    await run("box-a", "priority");
    // box-c's key may not write watch_accounts and embeddings: an admin catch-up lands them, under box-c.
    {
      const { ctx, log } = context("box-c", { XMONITOR_API_KEY: keys.admin });
      const caught = await catchUpCommand(ctx, { since: SINCE });
      expect(caught.exitCode, log.lines.join("\n")).toBe(0);
      ctx.store.close();
    }

    // The overlaps the scenario needs: a post seen by two collectors, a handle two watch with different tiers.
    const pushers = await t.db.$queryRaw<{ key: string; n: number }[]>`
      select key, count(*)::int as n from collector_pushes where table_name = 'posts' group by key having count(*) > 1`;
    expect(pushers.length).toBeGreaterThan(0);
    const policywonk = await t.db.watchAccount.findMany({
      where: { handle: "policywonk" },
      orderBy: { collector: "asc" },
    });
    expect(policywonk.map((a) => [a.collector, a.tier, a.note])).toEqual([
      ["box-a", "priority", "a: core account"],
      ["box-b", "discovery", "b: background only"],
    ]);
    const sharedWindows = await t.db.$queryRaw<{ n: number }[]>`
      select count(*)::int as n from (select window_id from window_summaries group by window_id having count(*) > 1) w`;
    expect(sharedWindows[0]!.n).toBeGreaterThan(0);

    for (const name of NAMES) {
      const { ctx, log } = context(name);
      const result = await reconcileCommand(ctx, { since: SINCE });
      expect(result.exitCode, `${name}\n${log.lines.join("\n")}`).toBe(0);
      expect(log.lines).toContain("reconcile PASS");
      // Every table is judged (box-c's key does not write two of them, but those counts match too).
      expect(result.rows.filter((r) => r.delta !== 0)).toEqual([]);
      expect(result.rows.find((r) => r.table === "posts")!.local).toBeGreaterThan(0);

      // The server's rows of this collector are exactly its local rows, field by field.
      for (const table of syncTableNames.filter((x) => isCollectorOwned(syncTables[x]))) {
        const local = localItems(ctx, table);
        const server = await ctx.api.rowsByKeys({ table, keys: [...local.keys()], collector: name });
        expect(server.length, `${name} ${table}`).toBe(local.size);
        const owned = await t.db.$queryRawUnsafe<{ n: number }[]>(
          `select count(*)::int as n from "${syncTables[table].server}" where collector = $1`,
          name,
        );
        expect(owned[0]!.n, `${name} ${table}`).toBe(local.size);
        for (const row of server) {
          const key = String(row[syncTables[table].key]);
          expect(diffFields(local.get(key)!, row), `${name} ${table} ${key}`).toEqual([]);
        }
      }
      ctx.store.close();
    }
  });

  it("cutover validate on each collector's snapshot: every delta 0", async () => {
    let newerOnServer = 0;
    for (const name of NAMES) {
      const { ctx, log, home } = context(name);
      const dataDir = path.join(home, "cutover");
      const snapshot = await cutoverSnapshot(ctx, { dataDir });
      expect(snapshot.ok, log.lines.join("\n")).toBe(true);
      // Every row, so the posts another collector also pushed are among those checked.
      const result = await cutoverValidate(ctx, { dataDir, sample: 10_000, seed: name });
      const v = result.value!;
      expect(
        v.counts.map((c) => [c.table, c.delta]),
        `${name}\n${log.lines.join("\n")}`,
      ).toEqual(syncTableNames.map((table) => [table, 0]));
      expect(v.counts.find((c) => c.table === "posts")!.snapshot).toBeGreaterThan(0);
      // Rows the collectors own are theirs alone, and a shared post holds the newest version any
      // collector pushed, whose first-seen fields (collected_at, mode, run_id) may be another's: the
      // spot check compares a shared row's content, and counts a newer version apart.
      for (const table of v.spotCheck.tables) {
        expect(table, `${name} ${table.table}\n${log.lines.join("\n")}`).toMatchObject({ missing: 0, mismatches: 0 });
        expect(table.checked, `${name} ${table.table}`).toBe(v.counts.find((c) => c.table === table.table)!.snapshot);
      }
      expect(v.passed, log.lines.join("\n")).toBe(true);
      newerOnServer += v.spotCheck.tables.find((x) => x.table === "posts")!.newerOnServer;
      ctx.store.close();
    }
    // Some checked posts were pushed again, newer, by another collector: counted apart, not mismatches.
    expect(newerOnServer).toBeGreaterThan(0);
  });
});

describe("a run in progress while reconcile runs", () => {
  it("reconcile waits for the run, gives no verdict when the wait runs out, and PASSes once the run is pushed", async () => {
    clock = Date.parse("2026-11-22T06:00:00Z");
    const { ctx: runCtx, log: runLog } = context("box-a");
    // The embeddings endpoint is slow: the priority run stays in progress until released.
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    let entered!: () => void;
    const inside = new Promise<void>((resolve) => (entered = resolve));
    const embedder = runCtx.embedder;
    runCtx.embedder = {
      model: embedder.model,
      embed: async (texts) => {
        entered();
        await gate;
        return embedder.embed(texts);
      },
    };
    const running = runCommand(runCtx, { mode: "priority" });
    await inside;
    // Its run row is committed locally and not on the server: counted now, this would be "runs +1".
    const local = runCtx.store.db.prepare("select count(*) from runs where status = 'running'").pluck().get();
    expect(local).toBe(1);

    const { ctx: short, log: shortLog } = context("box-a");
    const refused = await reconcileCommand(short, {
      since: SINCE,
      record: false,
      wait: { timeoutMs: 100, pollMs: 20 },
    });
    expect(refused.exitCode).toBe(2);
    expect(refused.rows).toEqual([]);
    expect(shortLog.lines).toContainEqual(
      expect.stringMatching(/^reconcile did not count, no verdict: still running after 0 s: run:priority/),
    );
    short.store.close();

    const { ctx, log } = context("box-a");
    const reconciling = reconcileCommand(ctx, { since: SINCE, wait: { pollMs: 20 } });
    await new Promise((r) => setTimeout(r, 200));
    expect(log.lines).toContainEqual(expect.stringMatching(/^reconcile: waiting for run:priority .* to finish/));
    release();
    const [ran, result] = await Promise.all([running, reconciling]);
    expect(ran.exitCode, runLog.lines.join("\n")).toBe(0);
    expect(result.exitCode, log.lines.join("\n")).toBe(0);
    expect(log.lines).toContain("reconcile PASS");
    expect(result.rows.find((r) => r.table === "pipelineRuns")).toMatchObject({ delta: 0 });
    runCtx.store.close();
    ctx.store.close();
  }, 120_000);
});
