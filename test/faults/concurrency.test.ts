// Fault injection: concurrency. Two collectors (two SQLite files) and a
// cutover import (an export of a third file) push overlapping data at the
// same moment against one real app, round after round. Each file holds a
// different version of many of the same keys (its own updated_at and field
// values), some keys only in some files. After every round the server must
// hold, for every key, the newest version any file has (for the tables the
// collectors own: each pusher's own newest, under its name); no request may fail
// or be retried (a deadlock or serialization failure would surface as a 5xx
// and a retry), the app must log no error; and the counts must add up: each
// pusher's inserted + updated + unchanged equals the rows it sent, the
// inserts over all pushers equal the distinct keys, the server's record of
// every batch agrees with what the clients were told.
//
// Short form in the default suite; FAULTS=full (npm run test:faults) runs
// ten times the rows over more rounds.
import { copyFileSync } from "node:fs";
import path from "node:path";
import { createHash } from "node:crypto";
import Database from "better-sqlite3";
import { afterAll, beforeAll, expect, it } from "vitest";
import { canonicalJson } from "~/shared/canonical-json";
import type { TableResult } from "~/shared/schemas/ingest";
import { syncTableNames, syncTables, type SyncTable } from "~/shared/schemas/tables";
import { isCollectorOwned } from "~/shared/table-catalog";
import { catchUpCommand } from "~/collector/commands/catch-up";
import { parseCollectorEnv } from "~/collector/config";
import { createCollectorContext, type CollectorContext } from "~/collector/context";
import { exportSnapshot } from "~/collector/cutover/export";
import { importExport, type ImportResult } from "~/collector/cutover/import";
import { buildLegacyDatabase, type LegacyCounts } from "../support/legacy-fixture";
import { createTrpcCalls } from "~/collector/uplink/server-calls";
import { serverClientOver } from "~/collector/uplink/server-client";
import { createMemoryLog } from "~/collector/log";
import type { TestDatabase } from "../support/database";
import type { AppServer } from "../support/app-server";
import { startAppWorld, type AppWorld } from "../support/app-world";
import { compareWithServer, readItems, serverCount } from "../support/server-compare";
import { recordFaultFigures } from "./summary";

const FULL = process.env.FAULTS === "full";
const COUNTS: LegacyCounts = FULL
  ? { tweets: 4000, reports: 1500, watchAccounts: 44, runs: 1500, embeddings: 3500, summaries: 60, shifts: 40 }
  : { tweets: 400, reports: 150, watchAccounts: 30, runs: 150, embeddings: 350, summaries: 12, shifts: 9 };
const ROUNDS = FULL ? 4 : 2;
const SOURCES = ["a", "b", "c"] as const;
type Source = (typeof SOURCES)[number];

let world: AppWorld;
let t: TestDatabase;
let app: AppServer;
let dir: string;
let key: string;

beforeAll(async () => {
  world = await startAppWorld({ dirPrefix: "xm-faults-concurrency-", captureOutput: true });
  ({ t, app, dir, key } = world);
}, 180_000);

afterAll(async () => {
  await world?.stop();
});

const bucket = (salt: string, k: string) =>
  Number.parseInt(createHash("sha256").update(`${salt}:${k}`).digest("hex").slice(0, 8), 16);

/** The field each source changes when it writes a newer version of a row. */
const changes: Record<SyncTable, (tag: string, index: number) => string> = {
  posts: (_tag, i) => `like_count = ${100_000 + i}`,
  reports: (tag) => `title = title || ' [${tag}]'`,
  pipelineRuns: (_tag, i) => `fetched_count = ${10_000 + i}`,
  watchAccounts: (tag) => `note = '${tag}'`,
  embeddings: (tag) => `model = 'hashed-ngram-${tag}'`,
  windowSummaries: (tag) => `summary_md = summary_md || ' [${tag}]'`,
  narrativeShifts: (tag) => `description = description || ' [${tag}]'`,
};

/** Round r's new versions in one file: about a third of its keys, each with this source's own later updated_at. */
function writeNewerVersions(db: Database.Database, source: Source, round: number): void {
  const at = Date.parse("2026-11-24T00:00:00Z") + round * 86_400_000 + (SOURCES.indexOf(source) + 1) * 3_600_000;
  const tag = `${source}${round}`;
  db.transaction(() => {
    for (const table of syncTableNames) {
      const { sqlite, key: keyField } = syncTables[table];
      const keys = db.prepare(`select ${keyField} from ${sqlite}`).pluck().all() as string[];
      const update = db.prepare(
        `update ${sqlite} set ${changes[table](tag, round * 10 + SOURCES.indexOf(source))}, updated_at = ? where ${keyField} = ?`,
      );
      for (const k of keys) if (bucket(`r${round}:${source}`, k) % 3 === 0) update.run(new Date(at).toISOString(), k);
    }
  })();
}

/** Per key, the version with the latest updated_at over the three files (equal times must mean equal rows). */
function newestVersions(files: string[], table: SyncTable): Record<string, unknown>[] {
  const newest = new Map<string, Record<string, unknown>>();
  for (const file of files) {
    const db = new Database(file, { readonly: true });
    try {
      for (const item of readItems(db, table)) {
        const k = String(item[syncTables[table].key]);
        const seen = newest.get(k);
        const diff = seen ? Date.parse(String(item.updated_at)) - Date.parse(String(seen.updated_at)) : 1;
        if (diff > 0) newest.set(k, item);
        else if (diff === 0 && canonicalJson(item) !== canonicalJson(seen))
          throw new Error(`test data: two versions of ${table} ${k} share updated_at`);
      }
    } finally {
      db.close();
    }
  }
  return [...newest.values()];
}

/** The collector each source pushes as. */
const PUSHERS: Record<Source, string> = { a: "collector-a", b: "collector-b", c: "cutover-c" };

const zero = (): TableResult => ({ inserted: 0, updated: 0, unchanged: 0, rejected: 0, anomalies: 0 });

it(
  `two collectors and a cutover import pushing overlapping versions at once converge on the newest (${ROUNDS} rounds)`,
  async () => {
    const startedAt = Date.now();
    const base = path.join(dir, "base.db");
    buildLegacyDatabase(base, COUNTS, { seed: 23 });
    const files = Object.fromEntries(SOURCES.map((s) => [s, path.join(dir, `${s}.db`)])) as Record<Source, string>;
    // A shared table converges over all three pushers; a table the collectors own keeps each pusher's rows.
    const scopesOf = (table: SyncTable): [string | undefined, string[]][] =>
      isCollectorOwned(syncTables[table])
        ? SOURCES.map((src) => [PUSHERS[src], [files[src]]])
        : [[undefined, Object.values(files)]];
    for (const s of SOURCES) {
      copyFileSync(base, files[s]);
      // Each file lacks a sixth of the keys: some keys are in two files only.
      const db = new Database(files[s]);
      for (const table of syncTableNames) {
        const { sqlite, key: keyField } = syncTables[table];
        const keys = db.prepare(`select ${keyField} from ${sqlite}`).pluck().all() as string[];
        const remove = db.prepare(`delete from ${sqlite} where ${keyField} = ?`);
        for (const k of keys) if (bucket("absent", k) % 6 === SOURCES.indexOf(s)) remove.run(k);
      }
      db.close();
    }

    const logs: Record<"a" | "b", ReturnType<typeof createMemoryLog>> = { a: createMemoryLog(), b: createMemoryLog() };
    const contexts = Object.fromEntries(
      (["a", "b"] as const).map((s) => [
        s,
        createCollectorContext(
          parseCollectorEnv({
            XMONITOR_DB_PATH: files[s],
            XMONITOR_HEALTH_FILE: path.join(dir, `${s}-health.json`),
            XMONITOR_RUN_LOCK_DIR: path.join(dir, `${s}-running`),
            XMONITOR_FREEZE_FILE: path.join(dir, `${s}-freeze`),
            XMONITOR_API_BASE_URL: app.baseUrl,
            XMONITOR_API_KEY: key,
            XMONITOR_COLLECTOR_NAME: `collector-${s}`,
            XMONITOR_INGEST_BATCH_SIZE: "50",
            XMONITOR_INGEST_CONCURRENCY: "3",
            XMONITOR_INGEST_MAX_ATTEMPTS: "4",
            XMONITOR_INGEST_INITIAL_BACKOFF_SECONDS: "0.05",
          }),
          { log: logs[s] },
        ),
      ]),
    ) as Record<"a" | "b", CollectorContext>;
    const api = createTrpcCalls({ baseUrl: app.baseUrl, apiKey: key });
    const importRetries: string[] = [];

    const told = Object.fromEntries(syncTableNames.map((tn) => [tn, zero()])) as Record<SyncTable, TableResult>;
    const problems: string[] = [];
    let rows = 0;
    let missing = 0;
    let mismatched = 0;
    let pushes = 0;
    for (let round = 1; round <= ROUNDS; round++) {
      const cFile = new Database(files.c);
      writeNewerVersions(cFile, "c", round);
      cFile.close();
      for (const s of ["a", "b"] as const) writeNewerVersions(contexts[s].store.db, s, round);
      const exportDir = path.join(dir, `export-c-${round}`);
      await exportSnapshot({ snapshot: files.c, outDir: exportDir, now: () => new Date() });
      const since =
        round === 1
          ? "2010-01-01T00:00:00Z"
          : new Date(Date.parse("2026-11-24T00:00:00Z") + round * 86_400_000).toISOString();
      const sent = Object.fromEntries(
        (["a", "b"] as const).map((s) => [
          s,
          Object.fromEntries(
            syncTableNames.map((tn) => [tn, [...contexts[s].store.readChangedSince(tn, since)].length]),
          ),
        ]),
      ) as Record<"a" | "b", Record<SyncTable, number>>;

      // All three at once.
      const [a, b, c] = await Promise.all([
        catchUpCommand(contexts.a, { since }),
        catchUpCommand(contexts.b, { since }),
        importExport({
          exportDir,
          dataDir: exportDir,
          api: serverClientOver(api, {
            maxAttempts: 4,
            initialBackoffSeconds: 0.05,
            onRetry: ({ error }) => importRetries.push((error as Error).message),
          }),
          collector: "cutover-c",
          label: `concurrent-${round}`,
          newRejectLog: () => path.join(exportDir, "import_rejects_concurrent.ndjson"),
          batchSize: 50,
          concurrency: 3,
          now: () => new Date(),
        }),
      ]);
      pushes += 3;
      for (const [s, outcome] of [
        ["a", a],
        ["b", b],
      ] as const) {
        if (outcome.exitCode !== 0 || !outcome.totals) {
          problems.push(`round ${round} collector-${s} failed: ${logs[s].lines.slice(-3).join(" | ")}`);
          continue;
        }
        for (const tn of syncTableNames) {
          const r = outcome.totals.tables[tn];
          if (r.inserted + r.updated + r.unchanged + r.rejected !== sent[s][tn])
            problems.push(`round ${round} collector-${s} ${tn}: sent ${sent[s][tn]}, told ${JSON.stringify(r)}`);
          for (const f of ["inserted", "updated", "unchanged", "rejected"] as const) told[tn][f] += r[f];
        }
      }
      const imported: ImportResult = c;
      for (const tn of syncTableNames) {
        const r = imported.tables[tn];
        if (r.inserted + r.updated + r.unchanged + r.rejected !== r.rows)
          problems.push(`round ${round} import ${tn}: ${r.rows} rows, told ${JSON.stringify(r)}`);
        for (const f of ["inserted", "updated", "unchanged", "rejected"] as const) told[tn][f] += r[f];
      }

      // Key by key: the newest version of every key, whoever sent it and in whatever order. Shared
      // tables converge over all three pushers; a table the collectors own keeps each pusher's
      // own newest version under its name (docs/decisions/012).
      for (const table of syncTableNames) {
        let distinct = 0;
        for (const [collector, sources] of scopesOf(table)) {
          const expected = newestVersions(sources, table);
          distinct += expected.length;
          const comparison = await compareWithServer(api, table, expected, collector);
          rows += comparison.rows;
          missing += comparison.missing;
          mismatched += comparison.mismatched;
          problems.push(...comparison.examples.map((e) => `round ${round}: ${collector ?? "all"} ${e}`));
        }
        if (round === ROUNDS) {
          const onServer = await serverCount(t.db, table);
          // Every key was inserted exactly once (per pusher, for the tables the collectors own) over all rounds.
          if (onServer !== distinct || told[table].inserted !== distinct) {
            problems.push(
              `${table}: ${distinct} distinct keys, ${onServer} on the server, ${told[table].inserted} inserts told`,
            );
          }
          if (told[table].rejected !== 0) problems.push(`${table}: ${told[table].rejected} rejected`);
        }
      }
    }

    // The server's record of every batch agrees with what the clients were told.
    const batches = await t.db.ingestBatch.findMany({
      select: {
        idempotencyKey: true,
        collector: true,
        status: true,
        receivedAt: true,
        finishedAt: true,
        insertedCount: true,
        updatedCount: true,
        unchangedCount: true,
      },
    });
    const recorded = batches.reduce(
      (acc, x) => ({
        inserted: acc.inserted + x.insertedCount,
        updated: acc.updated + x.updatedCount,
        unchanged: acc.unchanged + x.unchangedCount,
      }),
      { inserted: 0, updated: 0, unchanged: 0 },
    );
    const toldTotal = syncTableNames.reduce(
      (acc, tn) => ({
        inserted: acc.inserted + told[tn].inserted,
        updated: acc.updated + told[tn].updated,
        unchanged: acc.unchanged + told[tn].unchanged,
      }),
      { inserted: 0, updated: 0, unchanged: 0 },
    );
    expect(recorded).toEqual(toldTotal);
    expect(batches.filter((x) => x.status !== "succeeded").map((x) => x.idempotencyKey)).toEqual([]);

    // Batches whose transactions overlapped one of another pusher's on the same table: the concurrency was real.
    const tableOf = (k: string) => k.split(":").at(-2);
    const spans = batches.map((x) => ({
      collector: x.collector,
      table: tableOf(x.idempotencyKey),
      from: x.receivedAt.getTime(),
      to: (x.finishedAt ?? x.receivedAt).getTime(),
    }));
    const overlapping = spans.filter((x) =>
      spans.some((y) => y.collector !== x.collector && y.table === x.table && y.from < x.to && x.from < y.to),
    ).length;

    const retryLines = [...logs.a.lines, ...logs.b.lines].filter((l) => /retry/.test(l));
    const fiveXx = [...retryLines, ...importRetries].filter((l) => /answered 5\d\d/.test(l));
    const appErrors = app
      .output()
      .split("\n")
      .filter((l) => /procedure failed|deadlock|40P01|40001|could not serialize|database unavailable/i.test(l));

    console.log(
      [
        `concurrency: ${ROUNDS} rounds of 2 collectors + 1 cutover import at once, ${batches.length} batches, ${overlapping} overlapping another pusher's batch on the same table`,
        `told: ${syncTableNames.map((tn) => `${tn}=${told[tn].inserted}/${told[tn].updated}/${told[tn].unchanged}/${told[tn].rejected}`).join(" ")} (inserted/updated/unchanged/rejected)`,
        `rows compared: ${rows}, missing ${missing}, mismatched ${mismatched}; retries ${retryLines.length + importRetries.length}, 5xx ${fiveXx.length}, app errors ${appErrors.length}`,
      ].join("\n"),
    );
    recordFaultFigures({
      order: 3,
      scenario: "concurrent collectors and cutover import",
      faults: pushes,
      faultDetail: `pushes at once, ${ROUNDS} rounds × 2 collectors + 1 import; ${overlapping} of ${batches.length} batches overlapped another pusher's on the same table`,
      runs: pushes,
      rows,
      lost: missing + mismatched,
      // Inserts beyond the distinct keys: per pusher for the tables the collectors own, as the check above counts them.
      duplicated: syncTableNames.reduce(
        (acc, tn) =>
          acc +
          Math.max(
            0,
            told[tn].inserted - scopesOf(tn).reduce((n, [, sources]) => n + newestVersions(sources, tn).length, 0),
          ),
        0,
      ),
      fiveXx: fiveXx.length,
      fiveOhThree: fiveXx.filter((l) => /answered 503/.test(l)).length,
      seconds: Math.round((Date.now() - startedAt) / 1000),
    });

    expect(problems).toEqual([]);
    expect({ missing, mismatched }).toEqual({ missing: 0, mismatched: 0 });
    expect(overlapping).toBeGreaterThan(0);
    expect(appErrors).toEqual([]);
    expect([...retryLines, ...importRetries]).toEqual([]);
    for (const s of ["a", "b"] as const) contexts[s].store.close();
  },
  FULL ? 900_000 : 240_000,
);
