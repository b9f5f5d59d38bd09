// The console's first screen in one round of concurrent queries, each
// served by an index: per-table row counts, ingest health per collector and
// mode, the latest reconcile per collector, ingest volume by hour over the
// last 24 hours, the latest runs, and the alerts derived from all of it.
import type { Db } from "../db";
import { healthState } from "../health/collector-health";
import type { HealthCard } from "../health/health-card";
import { recentRunSelect } from "../runs/run-select";

const HOUR_MS = 3600_000;
/** No successful ingest for this long while not failing: the collector has probably stopped. */
export const STALE_AFTER_MS = 6 * HOUR_MS;

export type VolumeBucket = { hour: Date; batches: number; inserted: number; updated: number; rejected: number };
export type ReconcileTable = { local: number; server: number; delta: number };
export type Alert = {
  kind: "ingest-failures" | "reconcile-failed" | "stale";
  collector: string;
  mode: string | null;
  since: Date | null;
  message: string;
};

/** Hourly ingest totals from `since` (inclusive) to `now`, one bucket per hour including empty ones. */
export async function ingestVolumeByHour(db: Db, options: { since: Date; now: Date }): Promise<VolumeBucket[]> {
  const rows = await db.$queryRaw<
    { hour: Date; batches: number; inserted: number; updated: number; rejected: number }[]
  >`
    select date_trunc('hour', received_at) as hour, count(*)::int as batches,
           coalesce(sum(inserted_count), 0)::int as inserted, coalesce(sum(updated_count), 0)::int as updated,
           coalesce(sum(rejected_count), 0)::int as rejected
    from ingest_batches where received_at >= ${options.since} and received_at <= ${options.now}
    group by 1 order by 1`;
  const byHour = new Map(rows.map((row) => [row.hour.getTime(), row]));
  const buckets: VolumeBucket[] = [];
  for (let h = Math.floor(options.since.getTime() / HOUR_MS) * HOUR_MS; h <= options.now.getTime(); h += HOUR_MS) {
    const row = byHour.get(h);
    buckets.push({
      hour: new Date(h),
      batches: row?.batches ?? 0,
      inserted: row?.inserted ?? 0,
      updated: row?.updated ?? 0,
      rejected: row?.rejected ?? 0,
    });
  }
  return buckets;
}

/** The newest reconcile result of each collector. */
export async function latestReconcilePerCollector(db: Db) {
  const rows = await db.$queryRaw<
    {
      id: string;
      collector: string;
      since: Date | null;
      checked_at: Date;
      passed: boolean;
      tables: Record<string, ReconcileTable>;
    }[]
  >`
    select distinct on (collector) id, collector, since, checked_at, passed, tables
    from reconcile_results order by collector, checked_at desc`;
  return rows.map((row) => ({
    id: row.id,
    collector: row.collector,
    since: row.since,
    checkedAt: row.checked_at,
    passed: row.passed,
    tables: row.tables,
  }));
}

export function deriveAlerts(options: {
  health: HealthCard[];
  reconcile: Awaited<ReturnType<typeof latestReconcilePerCollector>>;
  now: Date;
}): Alert[] {
  const alerts: Alert[] = [];
  for (const card of options.health) {
    if (card.state === "alert") {
      alerts.push({
        kind: "ingest-failures",
        collector: card.collector,
        mode: card.mode,
        since: card.lastFailureAt,
        message: `${card.consecutiveFailures} consecutive ingest failures (threshold ${card.threshold})${card.lastError ? `: ${card.lastError}` : ""}`,
      });
    } else if (
      card.state === "healthy" &&
      card.lastSuccessAt &&
      options.now.getTime() - card.lastSuccessAt.getTime() > STALE_AFTER_MS
    ) {
      alerts.push({
        kind: "stale",
        collector: card.collector,
        mode: card.mode,
        since: card.lastSuccessAt,
        message: "No ingest for more than 6 hours: is the collector's scheduler running?",
      });
    }
  }
  for (const result of options.reconcile) {
    if (!result.passed) {
      const off = Object.entries(result.tables)
        .filter(([, t]) => t.delta !== 0)
        .map(([table, t]) => `${table} ${t.delta > 0 ? "+" : ""}${t.delta}`);
      alerts.push({
        kind: "reconcile-failed",
        collector: result.collector,
        mode: null,
        since: result.checkedAt,
        message: `Reconcile FAIL: ${off.join(", ") || "counts differ"}`,
      });
    }
  }
  return alerts;
}

/** Above this many rows (by the planner's statistics) a table's count is the estimate, not count(*). */
export const EXACT_COUNT_LIMIT = 100_000;

const countedTables = {
  posts: "posts",
  reports: "reports",
  pipelineRuns: "pipeline_runs",
  watchAccounts: "watch_accounts",
  embeddings: "embeddings",
  windowSummaries: "window_summaries",
  narrativeShifts: "narrative_shifts",
} as const;
type CountedTable = keyof typeof countedTables;

/**
 * Row counts for the overview, refreshed every 15 s by every open console:
 * count(*) on a million posts is a 300 ms parallel scan each time, so large
 * tables report PostgreSQL's own estimate (kept by autovacuum's analyze) and
 * say so. Small or never-analysed tables are counted exactly.
 */
export async function tableRowCounts(
  db: Db,
  options: { exactLimit?: number } = {},
): Promise<{ counts: Record<CountedTable, number>; approximate: CountedTable[] }> {
  const stats = await db.$queryRaw<{ relname: string; estimate: number }[]>`
    select c.relname, c.reltuples::float8 as estimate from pg_class c
    join pg_namespace n on n.oid = c.relnamespace
    where n.nspname = current_schema() and c.relkind = 'r' and c.relname = any(${Object.values(countedTables)})`;
  const estimates = new Map(stats.map((row) => [row.relname, row.estimate]));
  const approximate: CountedTable[] = [];
  const entries = await Promise.all(
    (Object.entries(countedTables) as [CountedTable, string][]).map(async ([key, table]) => {
      const estimate = estimates.get(table) ?? -1;
      if (estimate >= (options.exactLimit ?? EXACT_COUNT_LIMIT)) {
        approximate.push(key);
        return [key, Math.round(estimate)] as const;
      }
      const [row] = await db.$queryRawUnsafe<{ n: bigint }[]>(`select count(*) as n from "${table}"`);
      return [key, Number(row?.n ?? 0)] as const;
    }),
  );
  return { counts: Object.fromEntries(entries) as Record<CountedTable, number>, approximate };
}

export async function getOverviewSummary(db: Db, options: { alertThreshold: number; now?: Date }) {
  const now = options.now ?? new Date();
  const [rowCounts, recentRuns, healthRows, reconcile, volume] = await Promise.all([
    tableRowCounts(db),
    db.pipelineRun.findMany({ select: recentRunSelect, orderBy: [{ runAt: "desc" }, { runId: "desc" }], take: 10 }),
    db.collectorHealth.findMany({ orderBy: [{ collector: "asc" }, { mode: "asc" }] }),
    latestReconcilePerCollector(db),
    ingestVolumeByHour(db, { since: new Date(now.getTime() - 23 * HOUR_MS), now }),
  ]);
  const health: HealthCard[] = healthRows.map((row) => ({
    collector: row.collector,
    mode: row.mode,
    state: healthState(row.consecutiveFailures, options.alertThreshold),
    consecutiveFailures: row.consecutiveFailures,
    threshold: options.alertThreshold,
    lastSuccessAt: row.lastSuccessAt,
    lastFailureAt: row.lastFailureAt,
    lastError: row.lastError,
  }));
  return {
    generatedAt: now,
    counts: rowCounts.counts,
    /** Tables whose count is PostgreSQL's estimate (large tables). */
    approximateCounts: rowCounts.approximate,
    recentRuns,
    health,
    reconcile,
    volume,
    alerts: deriveAlerts({ health, reconcile, now }),
  };
}
