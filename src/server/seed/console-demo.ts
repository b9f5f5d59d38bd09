// Demo history for the console's reconcile, cutover and health pages, added
// after the demo ingest. Built from the real rows so the figures agree with
// what the database holds.
import type { Prisma } from "~/generated/prisma/client";
import type { CutoverStep } from "~/shared/schemas/cutover";
import { syncTableNames, type SyncTable } from "~/shared/schemas/tables";
import { systemPrincipal } from "../auth/principal";
import type { Db } from "../db";
import { reconcileCounts } from "../reconcile/reconcile-counts";
import { recordReconcileResult } from "../reconcile/reconcile-results";
import { iso } from "./builders";

/**
 * The demo pushes days of runs in a few seconds, so every batch would show as
 * received "now". Put each run's batch (and the rows it first delivered) at
 * the time the run really finished, as a live collector would have.
 */
export async function backdateDemoIngest(db: Db): Promise<void> {
  await db.$executeRaw`
    update ingest_batches b
    set received_at = coalesce(r.finished_at, r.run_at) + interval '2 seconds',
        finished_at = coalesce(r.finished_at, r.run_at) + interval '3 seconds'
    from pipeline_runs r where b.run_id = r.run_id`;
  for (const table of ["posts", "reports", "embeddings"] as const) {
    await db.$executeRawUnsafe(`
      update "${table}" t set ingested_at = coalesce(r.finished_at, r.run_at) + interval '2 seconds', updated_at = coalesce(r.finished_at, r.run_at) + interval '2 seconds'
      from pipeline_runs r where r.run_id = ${table === "embeddings" ? "(select p.run_id from posts p where p.status_id = t.status_id)" : "t.run_id"}`);
  }
  await db.$executeRaw`
    update pipeline_runs set ingested_at = coalesce(finished_at, run_at) + interval '2 seconds', updated_at = coalesce(finished_at, run_at) + interval '2 seconds'`;
  await db.$executeRaw`
    update collector_health h set last_success_at = s.last
    from (select collector, mode, max(received_at) as last from ingest_batches group by 1, 2) s
    where h.collector = s.collector and h.mode = s.mode and h.consecutive_failures = 0 and h.last_success_at > s.last`;
}

/** One reconcile per day at 10:10 UTC (05:10 in New York), passing except one day with missing posts and reports. */
export async function seedReconcileHistory(
  db: Db,
  options: { collector: string; now: number; days: number; failOnDaysAgo?: number[] },
) {
  const fail = new Set(options.failOnDaysAgo ?? []);
  const at0510 = (10 * 60 + 10) * 60_000;
  // The latest 10:10 UTC at or before now.
  const today = Math.floor((options.now - at0510) / 86_400_000) * 86_400_000 + at0510;
  for (let daysAgo = options.days; daysAgo >= 0; daysAgo--) {
    const checkedAt = today - daysAgo * 86_400_000;
    const since = checkedAt - 86_400_000;
    const counts = await reconcileCounts(db, { since: iso(since) });
    const missing: Partial<Record<SyncTable, number>> = fail.has(daysAgo) ? { posts: 3, reports: 1 } : {};
    const tables = Object.fromEntries(
      syncTableNames.map((table) => {
        const server = counts.tables[table].since;
        const delta = missing[table] ?? 0;
        return [table, { local: server + delta, server, delta }];
      }),
    ) as Record<SyncTable, { local: number; server: number; delta: number }>;
    await recordReconcileResult(db, {
      principal: systemPrincipal("seed"),
      input: {
        collector: options.collector,
        since: iso(since),
        checkedAt: iso(checkedAt),
        passed: !fail.has(daysAgo),
        tables,
      },
    });
  }
}

type Counts = Record<string, number>;

function perTable(counts: Counts, fn: (table: string, n: number) => unknown) {
  return Object.fromEntries(Object.entries(counts).map(([table, n]) => [table, fn(table, n)]));
}

/** A finished cutover of `collector` with every step's figures, taken from the rows on the server. */
export async function seedCutoverRun(
  db: Db,
  options: { collector: string; operator: string; label: string; startedAt: number; failValidation?: boolean },
) {
  const counts = await reconcileCounts(db, {});
  const exported: Counts = Object.fromEntries(syncTableNames.map((t) => [t, counts.tables[t].total]));
  const at = (s: number) => iso(options.startedAt + s * 1000);
  const adminTables = new Set(["watchAccounts", "embeddings"]);
  const missingPosts = options.failValidation ? 2 : 0;
  const steps: CutoverStep[] = [
    {
      step: "freeze",
      status: "succeeded",
      startedAt: at(0),
      finishedAt: at(1),
      message: "Scheduler frozen; no run in progress.",
      figures: { runningJobs: 0 },
    },
    {
      step: "snapshot",
      status: "succeeded",
      startedAt: at(1),
      finishedAt: at(4),
      message: "SQLite online backup taken and checked.",
      figures: {
        integrityCheck: "ok",
        bytes: 48_627_712,
        sha256: "5f0c7a1e9b3d24c8e6a0f1b2c3d4e5f60718293a4b5c6d7e8f90a1b2c3d4e5f6",
        pages: 11_872,
      },
    },
    {
      step: "export",
      status: "succeeded",
      startedAt: at(4),
      finishedAt: at(19),
      message: "Exported every table to JSONL with a manifest.",
      figures: { counts: exported },
    },
    {
      step: "import",
      pass: 1,
      status: "succeeded",
      startedAt: at(19),
      finishedAt: at(81),
      message: "Pass 1 with the collector's ingest key.",
      figures: {
        key: "ingest",
        tables: perTable(exported, (table, n) =>
          adminTables.has(table)
            ? { inserted: 0, updated: 0, unchanged: 0, rejected: n }
            : { inserted: 0, updated: 0, unchanged: n, rejected: 0 },
        ),
        rejects: Object.fromEntries(
          [...adminTables].map((t) => [
            t,
            {
              count: exported[t] ?? 0,
              reason: `permission denied for table ${t === "watchAccounts" ? "watch_accounts" : "embeddings"}`,
            },
          ]),
        ),
      },
    },
    {
      step: "import",
      pass: 2,
      status: "succeeded",
      startedAt: at(81),
      finishedAt: at(97),
      message: "Pass 2 with an admin key for the tables the ingest key may not write.",
      figures: {
        key: "admin",
        tables: Object.fromEntries(
          [...adminTables].map((t) => [t, { inserted: 0, updated: 0, unchanged: exported[t] ?? 0, rejected: 0 }]),
        ),
        rejects: {},
      },
    },
    {
      step: "validate",
      status: options.failValidation ? "failed" : "succeeded",
      startedAt: at(97),
      finishedAt: at(110),
      message: options.failValidation
        ? "2 posts missing on the server: rerun the import pass for posts, then validate again."
        : "Counts equal; spot check matched field by field.",
      figures: {
        deltas: perTable(exported, (table, n) => ({
          local: n,
          server: table === "posts" ? n - missingPosts : n,
          delta: table === "posts" ? missingPosts : 0,
        })),
        spotCheck: { sampled: 200, matched: 200 - missingPosts, mismatched: 0, missing: missingPosts },
      },
    },
  ];
  if (!options.failValidation) {
    steps.push({
      step: "restore",
      status: "succeeded",
      startedAt: at(110),
      finishedAt: at(111),
      message: "Scheduler unfrozen; direct ingest on.",
      figures: {},
    });
  }
  return db.cutoverRun.create({
    data: {
      label: options.label,
      collector: options.collector,
      operator: options.operator,
      status: options.failValidation ? "failed" : "succeeded",
      startedAt: new Date(options.startedAt),
      finishedAt: new Date(options.startedAt + (options.failValidation ? 110 : 111) * 1000),
      steps: steps as unknown as Prisma.InputJsonValue,
      artifacts: {
        snapshot: `data/cutover/${options.collector}/x_monitor.snapshot.db`,
        exportDir: `data/cutover/${options.collector}/export`,
        manifest: `data/cutover/${options.collector}/export/manifest.json`,
        rejectLogs: [`data/cutover/${options.collector}/import-pass1.rejects.jsonl`],
        validateReport: `data/cutover/${options.collector}/validate.json`,
      },
    },
    select: { id: true },
  });
}
