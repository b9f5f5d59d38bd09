// One cutover world for the tests against the real app (production build)
// over a real PostgreSQL: a fresh database with an ingest and an admin key,
// a legacy SQLite file with the counts operators reported, a replay file,
// and collector contexts pointed at it all (no real waiting on retries).
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import Database from "better-sqlite3";
import { syncTableNames, syncTables, type SyncTable } from "../../src/shared/schemas/tables";
import { parseCollectorEnv } from "../../src/collector/config";
import { createCollectorContext, type CollectorContext } from "../../src/collector/context";
import { createMemoryLog } from "../../src/collector/log";
import { writeReplayFile } from "../../src/collector/sources/replay-generator";
import { rowToItem } from "../../src/collector/store/items";
import { vectorFromBase64 } from "../../src/shared/schemas/vector";
import { startAppServer, type AppServer } from "./app-server";
import { collectorFiles } from "./collector-env";
import { createTestDatabase, type TestDatabase } from "./database";
import { principalFor } from "./fixtures";
import type { ServerCalls } from "../../src/collector/uplink/server-calls";
import { buildLegacyDatabase, LEGACY_COUNTS, type LegacyCounts } from "./legacy-fixture";

export { LEGACY_COUNTS };

export type CutoverWorld = {
  t: TestDatabase;
  app: AppServer;
  dir: string;
  ingestKey: string;
  adminKey: string;
  /** A collector named legacy-box on the legacy file, with these settings over the defaults. */
  context(overrides?: Record<string, string>): { ctx: CollectorContext; log: ReturnType<typeof createMemoryLog> };
  /** The legacy file's rows of a table as ingest items, in key order. */
  legacyItems(table: SyncTable): Record<string, unknown>[];
  /** Rows per server table. */
  serverCounts(): Promise<Record<string, number>>;
  /** Batches the cutover import sent. */
  cutoverBatches(): Promise<number>;
  stop(): Promise<void>;
};

export async function startCutoverWorld(
  options: {
    counts?: LegacyCounts;
    /** Changes the legacy file after it is built (e.g. addContractEdgeCases). */
    prepareLegacy?: (file: string) => void;
  } = {},
): Promise<CutoverWorld> {
  const t = await createTestDatabase();
  const ingestKey = (await principalFor(t.db, "ingest")).key;
  const adminKey = (await principalFor(t.db, "admin")).key;
  const app = await startAppServer({ databaseUrl: t.url });
  const dir = mkdtempSync(path.join(tmpdir(), "xm-cutover-"));
  buildLegacyDatabase(path.join(dir, "x_monitor.db"), options.counts ?? LEGACY_COUNTS, { seed: 11 });
  options.prepareLegacy?.(path.join(dir, "x_monitor.db"));
  await writeReplayFile({
    file: path.join(dir, "replay.jsonl"),
    seed: 3,
    count: 60,
    start: "2026-11-20T00:00:00Z",
    end: "2026-11-22T00:00:00Z",
  });
  let clock = Date.parse("2026-11-21T00:00:00Z");
  return {
    t,
    app,
    dir,
    ingestKey,
    adminKey,
    context: (overrides = {}) => {
      const log = createMemoryLog();
      const config = parseCollectorEnv({
        ...collectorFiles(dir),
        XMONITOR_API_BASE_URL: app.baseUrl,
        XMONITOR_API_KEY: ingestKey,
        XMONITOR_COLLECTOR_NAME: "legacy-box",
        XMONITOR_INGEST_BATCH_SIZE: "100",
        XMONITOR_INGEST_CONCURRENCY: "1",
        ...overrides,
      });
      const ctx = createCollectorContext(config, {
        log,
        now: () => new Date((clock += 1000)),
        retry: { random: () => 0, sleep: async () => {} },
      });
      return { ctx, log };
    },
    legacyItems: (table) => {
      const db = new Database(path.join(dir, "x_monitor.db"), { readonly: true });
      try {
        const { sqlite, key } = syncTables[table];
        return (db.prepare(`select * from ${sqlite} order by ${key}`).all() as Record<string, unknown>[]).map(
          (row) => rowToItem(table, row) as Record<string, unknown>,
        );
      } finally {
        db.close();
      }
    },
    serverCounts: async () => {
      const out: Record<string, number> = {};
      for (const table of syncTableNames) {
        const rows = await t.db.$queryRawUnsafe<{ n: number }[]>(
          `select count(*)::int as n from "${syncTables[table].server}"`,
        );
        out[syncTables[table].server] = rows[0]!.n;
      }
      return out;
    },
    cutoverBatches: () => t.db.ingestBatch.count({ where: { mode: "cutover" } }),
    stop: async () => {
      await app.stop();
      await t.drop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

const dayEarlier = (iso: unknown) => new Date(Date.parse(String(iso)) - 86_400_000).toISOString();

/**
 * The server before a cutover, as operators found it: part of the legacy data
 * in an older version (one field changed), and one run made by hand.
 */
export async function preloadServer(world: CutoverWorld, api: ServerCalls, synthetic: Record<string, unknown>) {
  const older: Partial<Record<SyncTable, Record<string, unknown>[]>> = {
    posts: world.legacyItems("posts").map((p) => ({
      ...p,
      like_count: Number(p.like_count) + 1,
      updated_at: dayEarlier(p.updated_at),
    })),
    reports: world.legacyItems("reports").map((r) => ({
      ...r,
      title: `${String(r.title)} (draft)`,
      updated_at: dayEarlier(r.updated_at),
    })),
    pipelineRuns: world.legacyItems("pipelineRuns").map((r) => ({
      ...r,
      fetched_count: Number(r.fetched_count) + 1,
      updated_at: dayEarlier(r.updated_at),
    })),
    watchAccounts: world
      .legacyItems("watchAccounts")
      .slice(0, 43)
      .map((a) => ({ ...a, note: "old note", updated_at: dayEarlier(a.updated_at) })),
    embeddings: world
      .legacyItems("embeddings")
      .slice(0, 576)
      // Sent as numbers, as an older collector would (the legacy items carry base64 bytes).
      .map((e) => ({
        ...e,
        vector: Array.from(vectorFromBase64(e.vector as string) as Float32Array, (v) => v / 2),
        updated_at: dayEarlier(e.updated_at),
      })),
  };
  // Pushed earlier by the same box (direct ingest before its cutover): rows
  // are per collector (docs/decisions/012), and these are the box's own.
  for (const [table, items] of Object.entries(older)) {
    const result = await api.push({
      idempotencyKey: `preload:${table}`,
      collector: "legacy-box",
      mode: "priority",
      [table]: items,
    });
    if (result.rejects.length) throw new Error(`preload ${table}: ${JSON.stringify(result.rejects[0])}`);
  }
  // A run someone created by hand on the server under the box's name (a smoke test's): not in any snapshot.
  const result = await api.push({
    idempotencyKey: "preload:synthetic-run",
    collector: "legacy-box",
    mode: "manual",
    pipelineRuns: [synthetic],
  });
  if (result.tables.pipelineRuns.inserted !== 1) throw new Error("the synthetic run was not inserted");
}
