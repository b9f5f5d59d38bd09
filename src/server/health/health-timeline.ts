// Ingest health over time per collector and mode, derived from what the
// server records: ingest batches (each one a successful ingest), failed
// pipeline runs, and collector_health (the current failure streak). The
// server does not keep past failure streaks, so only the current alert
// episode is known; earlier ones would need a failure history table.
import type { Db } from "../db";
import type { HealthCard } from "../overview/summary";
import { healthState } from "./collector-health";

const HOUR_MS = 3600_000;

export type TimelineBucket = { hour: Date; batches: number; partial: number; rejected: number; runs: number; failedRuns: number; ingestFailure: boolean };

export type AlertEpisode = {
  /** The streak began after the last success (or is older than any success we know). */
  failingAfter: Date | null;
  lastFailureAt: Date | null;
  consecutiveFailures: number;
  thresholdReached: boolean;
  /** Reset when a later ingest succeeded; null while still failing. */
  resetAt: Date | null;
  lastError: string | null;
};

/** A health card (the overview's) with its hourly history. */
export type HealthTimelineRow = HealthCard & {
  buckets: TimelineBucket[];
  totals: { batches: number; failedRuns: number };
  episode: AlertEpisode | null;
};

function key(collector: string, mode: string) {
  return `${collector}\u0000${mode}`;
}

export async function getHealthTimeline(db: Db, options: { alertThreshold: number; hours: number; now?: Date }) {
  const now = options.now ?? new Date();
  const first = Math.floor((now.getTime() - (options.hours - 1) * HOUR_MS) / HOUR_MS) * HOUR_MS;
  const since = new Date(first);
  const [health, batchRows, runRows] = await Promise.all([
    db.collectorHealth.findMany({ orderBy: [{ collector: "asc" }, { mode: "asc" }] }),
    db.$queryRaw<{ collector: string; mode: string; hour: Date; batches: number; partial: number; rejected: number }[]>`
      select collector, mode, date_trunc('hour', received_at) as hour, count(*)::int as batches,
             (count(*) filter (where status = 'partial'))::int as partial, coalesce(sum(rejected_count), 0)::int as rejected
      from ingest_batches where received_at >= ${since} group by 1, 2, 3`,
    db.$queryRaw<{ collector: string | null; mode: string; hour: Date; runs: number; failed: number }[]>`
      select collector, mode, date_trunc('hour', run_at) as hour, count(*)::int as runs, (count(*) filter (where status = 'failed'))::int as failed
      from pipeline_runs where run_at >= ${since} group by 1, 2, 3`,
  ]);

  const rows = new Map<string, HealthTimelineRow>();
  const ensure = (collector: string, mode: string) => {
    let row = rows.get(key(collector, mode));
    if (!row) {
      const buckets: TimelineBucket[] = [];
      for (let h = first; h <= now.getTime(); h += HOUR_MS) buckets.push({ hour: new Date(h), batches: 0, partial: 0, rejected: 0, runs: 0, failedRuns: 0, ingestFailure: false });
      row = { collector, mode, state: "healthy", consecutiveFailures: 0, threshold: options.alertThreshold, lastSuccessAt: null, lastFailureAt: null, lastError: null, buckets, totals: { batches: 0, failedRuns: 0 }, episode: null };
      rows.set(key(collector, mode), row);
    }
    return row;
  };
  const bucketOf = (row: HealthTimelineRow, at: Date) => row.buckets[Math.floor((at.getTime() - first) / HOUR_MS)];

  for (const h of health) {
    const row = ensure(h.collector, h.mode);
    Object.assign(row, {
      state: healthState(h.consecutiveFailures, options.alertThreshold),
      consecutiveFailures: h.consecutiveFailures,
      lastSuccessAt: h.lastSuccessAt,
      lastFailureAt: h.lastFailureAt,
      lastError: h.lastError,
    });
    if (h.lastFailureAt && h.lastFailureAt >= since) {
      const bucket = bucketOf(row, h.lastFailureAt);
      if (bucket) bucket.ingestFailure = true;
    }
    if (h.lastFailureAt) {
      const reset = h.consecutiveFailures === 0 && h.lastSuccessAt && h.lastSuccessAt > h.lastFailureAt ? h.lastSuccessAt : null;
      if (h.consecutiveFailures > 0 || reset) {
        row.episode = {
          failingAfter: h.consecutiveFailures > 0 ? h.lastSuccessAt : null,
          lastFailureAt: h.lastFailureAt,
          consecutiveFailures: h.consecutiveFailures,
          thresholdReached: h.consecutiveFailures >= options.alertThreshold,
          resetAt: reset,
          lastError: h.lastError,
        };
      }
    }
  }
  for (const b of batchRows) {
    const row = ensure(b.collector, b.mode);
    const bucket = bucketOf(row, b.hour);
    if (!bucket) continue;
    bucket.batches += b.batches;
    bucket.partial += b.partial;
    bucket.rejected += b.rejected;
    row.totals.batches += b.batches;
  }
  for (const r of runRows) {
    if (!r.collector) continue;
    const row = ensure(r.collector, r.mode);
    const bucket = bucketOf(row, r.hour);
    if (!bucket) continue;
    bucket.runs += r.runs;
    bucket.failedRuns += r.failed;
    row.totals.failedRuns += r.failed;
  }
  const ordered = [...rows.values()].sort((a, b) => a.collector.localeCompare(b.collector) || a.mode.localeCompare(b.mode));
  return { since, until: now, hours: options.hours, threshold: options.alertThreshold, rows: ordered };
}
