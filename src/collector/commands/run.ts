// `collector run --mode <mode>`: one collection run, then its ingest cycle.
import { describeIngestWindow } from "~/shared/ingest-window";
import { runIngestCycle, type IngestCycleResult } from "../ingest/ingest-cycle";
import { collectRun, type CollectRunResult } from "../run/collect-run";
import type { CollectMode } from "../run/collect-posts";
import { beginUnlessFrozen, FROZEN_EXIT_CODE } from "../scheduler/freeze";
import { listRunsInProgress } from "../scheduler/run-lock";
import type { CollectorContext } from "../context";

export type RunCommandResult = {
  exitCode: number;
  /** Null when the run was refused (the collector is frozen). */
  collected: CollectRunResult | null;
  ingest: IngestCycleResult | null;
};

export async function runCommand(
  ctx: CollectorContext,
  options: { mode: CollectMode; since?: string | undefined; lookbackSeconds?: number | undefined; ingest?: boolean },
): Promise<RunCommandResult> {
  const { store, log, config } = ctx;
  // A 'running' row no live process owns was left by a crash: close it first.
  if (listRunsInProgress({ dir: config.XMONITOR_RUN_LOCK_DIR }).length === 0) {
    for (const runId of store.markStaleRunsFailed())
      log.warn(`run ${runId} was left running by a process that ended mid-run: marked failed`);
  }
  const release = beginUnlessFrozen({
    lockDir: config.XMONITOR_RUN_LOCK_DIR,
    freezeFile: config.XMONITOR_FREEZE_FILE,
    log,
    job: `run:${options.mode}`,
    label: `run mode=${options.mode}`,
  });
  if (!release) return { exitCode: FROZEN_EXIT_CODE, collected: null, ingest: null };
  try {
    // Before anything is committed locally: if this process dies before its
    // push is confirmed, the next run still reaches back to here.
    const startedAt = ctx.now().toISOString();
    ctx.health.markPending(options.mode, startedAt);
    const collected = await collectRun({
      mode: options.mode,
      store,
      source: ctx.source,
      embedder: ctx.embedder,
      queries: ctx.queries,
      keywords: ctx.keywords,
      now: ctx.now,
    });
    const r = collected.run;
    if (collected.error)
      log.error(`run ${r.run_id} mode=${options.mode} failed: ${collected.error}`, {
        event: "run_failed",
        runId: r.run_id,
      });
    else
      log.info(
        `run ${r.run_id} mode=${options.mode} ok fetched=${collected.fetched} new=${collected.newPosts} updated=${collected.updatedPosts} shifts=${collected.shifts}`,
        { event: "run_ok", runId: r.run_id },
      );
    if (options.ingest === false) return { exitCode: collected.error ? 1 : 0, collected, ingest: null };

    const lookback = (options.lookbackSeconds ?? config.XMONITOR_INGEST_LOOKBACK_SECONDS) * 1000;
    // After failed cycles, reach back to the last success so the rows the
    // failed cycles did not deliver go out now, without a manual catch-up.
    const health = ctx.health.get(options.mode);
    let from: string | undefined = options.since ?? r.run_at;
    if (!options.since && health.consecutive_failures > 0) {
      from = health.last_success_at ?? undefined;
      log.info(
        `catching up after ${health.consecutive_failures} failed ingest cycle(s): pushing changes since ${from ? `the last success (${from})` : "the beginning"}`,
      );
    } else if (
      !options.since &&
      health.pending_since !== null &&
      Date.parse(health.pending_since) < Date.parse(startedAt)
    ) {
      from = health.pending_since;
      log.info(
        `catching up an earlier run whose push was never confirmed (killed, or run without ingest): pushing changes since ${from}`,
      );
    }
    const since = from === undefined ? undefined : new Date(Date.parse(from) - lookback).toISOString();
    // The effective window, as the server records it with the batch (since) and the settings that shaped it.
    const window = {
      mode: options.mode,
      since: since ?? null,
      lookbackSeconds: lookback / 1000,
      maxAttempts: config.XMONITOR_INGEST_MAX_ATTEMPTS,
    };
    log.info(`ingest: ${describeIngestWindow(window)}`, { event: "ingest_window", ...window });
    const ingest = await runIngestCycle({
      store,
      api: ctx.api,
      health: ctx.health,
      log,
      collector: config.XMONITOR_COLLECTOR_NAME,
      mode: options.mode,
      runId: r.run_id,
      since,
      lookbackSeconds: window.lookbackSeconds,
      maxAttempts: window.maxAttempts,
      batchSize: config.XMONITOR_INGEST_BATCH_SIZE,
      concurrency: config.XMONITOR_INGEST_CONCURRENCY,
      webhookUrl: config.XMONITOR_ALERT_WEBHOOK_URL,
      ...(ctx.fetch ? { fetch: ctx.fetch } : {}),
    });
    return { exitCode: collected.error || !ingest.ok ? 1 : 0, collected, ingest };
  } finally {
    release();
  }
}
