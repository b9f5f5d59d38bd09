// Ingest health over time per collector and mode, derived from what the
// server records: ingest batches (each one a successful ingest), failed
// pipeline runs, collector_health (the current failure streak) and
// ingest_failures (every reported failure, so episodes that have since
// reset are still shown).
import type { Db } from "../db";
import type { HealthCard } from "./health-card";
import { healthState } from "./collector-health";

const HOUR_MS = 3600_000;

export type TimelineBucket = {
  hour: Date;
  batches: number;
  partial: number;
  rejected: number;
  runs: number;
  failedRuns: number;
  ingestFailure: boolean;
};

export type AlertEpisode = {
  /** The streak began after the last success (or is older than any success we know). */
  failingAfter: Date | null;
  lastFailureAt: Date | null;
  /** The streak now (0 once reset). */
  consecutiveFailures: number;
  /** The episode's failures in a row: its longest streak, also after it reset. */
  failures: number;
  /** The episode reached the alert threshold (also after it reset). */
  thresholdReached: boolean;
  /** Reset when a later ingest succeeded; null while still failing. */
  resetAt: Date | null;
  lastError: string | null;
};

/** A failure streak that has ended: from its first failure to the success that reset it. */
export type PastEpisode = {
  startedAt: Date;
  lastFailureAt: Date;
  failures: number;
  thresholdReached: boolean;
  /** The first ingest after the last failure; null if none arrived (yet) in the window. */
  resetAt: Date | null;
  lastError: string;
};

/** A health card (the overview's) with its hourly history. */
export type HealthTimelineRow = HealthCard & {
  buckets: TimelineBucket[];
  totals: { batches: number; failedRuns: number; failures: number };
  episode: AlertEpisode | null;
  /** Earlier episodes in the window that have reset, newest first (the latest one is `episode`). */
  pastEpisodes: PastEpisode[];
};

function key(collector: string, mode: string) {
  return `${collector}\u0000${mode}`;
}

export async function getHealthTimeline(db: Db, options: { alertThreshold: number; hours: number; now?: Date }) {
  const now = options.now ?? new Date();
  const first = Math.floor((now.getTime() - (options.hours - 1) * HOUR_MS) / HOUR_MS) * HOUR_MS;
  const since = new Date(first);
  const [health, batchRows, runRows, episodeRows] = await Promise.all([
    db.collectorHealth.findMany({ orderBy: [{ collector: "asc" }, { mode: "asc" }] }),
    db.$queryRaw<{ collector: string; mode: string; hour: Date; batches: number; partial: number; rejected: number }[]>`
      select collector, mode, date_trunc('hour', received_at) as hour, count(*)::int as batches,
             (count(*) filter (where status = 'partial'))::int as partial, coalesce(sum(rejected_count), 0)::int as rejected
      from ingest_batches where received_at >= ${since} group by 1, 2, 3`,
    db.$queryRaw<{ collector: string | null; mode: string; hour: Date; runs: number; failed: number }[]>`
      select collector, mode, date_trunc('hour', run_at) as hour, count(*)::int as runs, (count(*) filter (where status = 'failed'))::int as failed
      from pipeline_runs where run_at >= ${since} group by 1, 2, 3`,
    // Failures numbered into episodes: a failure whose place in its streak is
    // not after the previous one's (1 after 2, or the first) starts one.
    db.$queryRaw<
      {
        collector: string;
        mode: string;
        startedAt: Date;
        lastFailureAt: Date;
        failures: number;
        reported: number;
        hours: Date[];
        lastError: string;
        resetAt: Date | null;
      }[]
    >`
      with starts as (
        select collector, mode, occurred_at, consecutive, error, id,
               case when consecutive <= coalesce(lag(consecutive) over (partition by collector, mode order by occurred_at, id), 0)
                      or lag(consecutive) over (partition by collector, mode order by occurred_at, id) is null
                    then 1 else 0 end as starts
        from ingest_failures where occurred_at >= ${since}
      ), numbered as (
        select collector, mode, occurred_at, consecutive, error,
               sum(starts) over (partition by collector, mode order by occurred_at, id) as episode
        from starts
      )
      select collector, mode, min(occurred_at) as "startedAt", max(occurred_at) as "lastFailureAt", max(consecutive)::int as failures, count(*)::int as reported,
             array_agg(distinct date_trunc('hour', occurred_at)) as hours,
             (array_agg(error order by occurred_at desc))[1] as "lastError",
             (select min(b.received_at) from ingest_batches b
               where b.collector = numbered.collector and b.mode = numbered.mode and b.received_at > max(numbered.occurred_at)) as "resetAt"
      from numbered group by collector, mode, episode order by collector, mode, min(occurred_at) desc`,
  ]);

  const rows = new Map<string, HealthTimelineRow>();
  const ensure = (collector: string, mode: string) => {
    let row = rows.get(key(collector, mode));
    if (!row) {
      const buckets: TimelineBucket[] = [];
      for (let h = first; h <= now.getTime(); h += HOUR_MS)
        buckets.push({
          hour: new Date(h),
          batches: 0,
          partial: 0,
          rejected: 0,
          runs: 0,
          failedRuns: 0,
          ingestFailure: false,
        });
      row = {
        collector,
        mode,
        state: "healthy",
        consecutiveFailures: 0,
        threshold: options.alertThreshold,
        lastSuccessAt: null,
        lastFailureAt: null,
        lastError: null,
        buckets,
        totals: { batches: 0, failedRuns: 0, failures: 0 },
        episode: null,
        pastEpisodes: [],
      };
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
    if (h.lastFailureAt) {
      const reset =
        h.consecutiveFailures === 0 && h.lastSuccessAt && h.lastSuccessAt > h.lastFailureAt ? h.lastSuccessAt : null;
      if (h.consecutiveFailures > 0 || reset) {
        row.episode = {
          failingAfter: h.consecutiveFailures > 0 ? h.lastSuccessAt : null,
          lastFailureAt: h.lastFailureAt,
          consecutiveFailures: h.consecutiveFailures,
          // Raised below from the recorded failures: a reset streak still shows how long it was.
          failures: h.consecutiveFailures,
          thresholdReached: h.consecutiveFailures >= options.alertThreshold,
          resetAt: reset,
          lastError: h.lastError,
        };
      }
    }
  }
  for (const e of episodeRows) {
    const row = ensure(e.collector, e.mode);
    for (const hour of e.hours) {
      const bucket = bucketOf(row, hour);
      if (bucket) bucket.ingestFailure = true;
    }
    row.totals.failures += e.reported;
    // The latest episode (still failing, or just reset) is `episode`, from collector_health.
    const latest = row.lastFailureAt !== null && e.lastFailureAt.getTime() === row.lastFailureAt.getTime();
    if (latest && row.episode && e.failures > row.episode.failures) {
      row.episode.failures = e.failures;
      row.episode.thresholdReached = e.failures >= options.alertThreshold;
    }
    if (!latest && e.resetAt) {
      row.pastEpisodes.push({
        startedAt: e.startedAt,
        lastFailureAt: e.lastFailureAt,
        failures: e.failures,
        thresholdReached: e.failures >= options.alertThreshold,
        resetAt: e.resetAt,
        lastError: e.lastError,
      });
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
  const ordered = [...rows.values()].sort(
    (a, b) => a.collector.localeCompare(b.collector) || a.mode.localeCompare(b.mode),
  );
  return { since, until: now, hours: options.hours, threshold: options.alertThreshold, rows: ordered };
}
