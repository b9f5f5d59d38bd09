// `collector catch-up --since <iso>`: after an outage, re-push everything
// changed since then (idempotent upserts: what already arrived comes back
// unchanged), with progress, and clear the failure counts it made good.
import type { CollectorContext } from "../context";
import { pushChanges } from "../ingest/push-changes";
import { beginUnlessFrozen, FROZEN_EXIT_CODE } from "../scheduler/freeze";
import type { PushTotals } from "../uplink/batch-pusher";
import { describeTotals } from "../uplink/totals";

export async function catchUpCommand(
  ctx: CollectorContext,
  options: { since: string },
): Promise<{ exitCode: number; totals?: PushTotals }> {
  const { log, config } = ctx;
  const started = Date.now();
  const { api } = ctx;
  // Catch-up writes to the server like a run: it holds the run lock, so a
  // cutover's freeze waits for it, and it does not start while frozen.
  const release = beginUnlessFrozen({
    lockDir: config.XMONITOR_RUN_LOCK_DIR,
    freezeFile: config.XMONITOR_FREEZE_FILE,
    log,
    job: "catch-up",
    detail: options.since,
    label: `catch-up since=${options.since}`,
  });
  if (!release) return { exitCode: FROZEN_EXIT_CODE };
  try {
    const { writableTables: tables } = await api.access();
    const totals = await pushChanges({
      tables,
      store: ctx.store,
      api,
      log,
      collector: config.XMONITOR_COLLECTOR_NAME,
      mode: "catch-up",
      since: options.since,
      // The operator's --since is the window: no lookback before it.
      lookbackSeconds: 0,
      maxAttempts: config.XMONITOR_INGEST_MAX_ATTEMPTS,
      batchSize: config.XMONITOR_INGEST_BATCH_SIZE,
      concurrency: config.XMONITOR_INGEST_CONCURRENCY,
      onBatch: (progress, table) =>
        log.info(`catch-up: batch ${progress.batches} (${table}), ${progress.items} rows sent`, {
          event: "progress",
          ...progress,
        }),
    });
    log.info(
      `api ingest ok mode=catch-up since=${options.since} batches=${totals.batches} ${describeTotals(totals.tables)} in ${((Date.now() - started) / 1000).toFixed(1)} s`,
      { event: "ingest_ok", totals: totals.tables },
    );
    for (const [mode, state] of Object.entries(ctx.health.read())) {
      if (state.consecutive_failures > 0) {
        const reset = ctx.health.recordSuccess(mode);
        if (reset.resetLine) log.info(reset.resetLine, { event: "alert_reset", mode });
      }
    }
    return { exitCode: totals.rejects.length ? 1 : 0, totals };
  } catch (error) {
    log.error(
      `catch-up failed: ${(error as Error).message}. Nothing is lost: run catch-up again with the same --since once the server answers.`,
    );
    return { exitCode: 1 };
  } finally {
    release();
  }
}
