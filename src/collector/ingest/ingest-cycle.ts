// One ingest cycle of a run: push what changed since run start minus the
// lookback, with bounded retries; record the outcome in the local health
// file; raise the ALERT line (and the webhook) at the threshold; tell the
// server about failures it could not see once it is reachable again.
import type { ReportFailureInput } from "~/shared/schemas/ingest";
import type { CollectorMode } from "~/shared/schemas/primitives";
import { unreportedOf, type IngestHealthStore, type UnreportedFailure } from "../health/health-file";
import { statusInChain } from "../uplink/http-error";
import { RetryError } from "../uplink/retry";
import type { CollectorLog } from "../log";
import type { PushTotals } from "../uplink/batch-pusher";
import { describeTotals } from "../uplink/totals";
import { pushChanges, type PushChangesOptions } from "./push-changes";

export type IngestCycleResult =
  { ok: true; totals: PushTotals } | { ok: false; error: string; consecutiveFailures: number; alert: boolean };

export async function runIngestCycle(
  options: Omit<PushChangesOptions, "tables" | "onBatch"> & {
    health: IngestHealthStore;
    log: CollectorLog;
    webhookUrl?: string | undefined;
    fetch?: typeof fetch;
  },
): Promise<IngestCycleResult> {
  const { log, health, mode } = options;
  const before = health.get(mode);
  const { api } = options;
  try {
    const { writableTables: tables } = await api.access();
    // The server has not seen these failed cycles: report them first, one
    // report per cycle with its place in the streak, so its health view shows
    // the outage the collector survived exactly as the collector counted it.
    for (const cycle of unreportedOf(mode, before)) {
      await api.reportFailure(failureReport(options.collector, mode, cycle));
      health.markReported(mode, [cycle.cycle_id]);
    }
    const totals = await pushChanges({ ...options, tables });
    log.info(`api ingest ok mode=${mode} batches=${totals.batches} ${describeTotals(totals.tables)}`, {
      event: "ingest_ok",
      mode,
      totals: totals.tables,
      batches: totals.batches,
    });
    for (const reject of totals.rejects.slice(0, 20))
      log.warn(`api ingest reject mode=${mode} table=${reject.table} key=${reject.key ?? "-"}: ${reject.reason}`);
    if (totals.rejects.length > 20)
      log.warn(`api ingest: ${totals.rejects.length - 20} more rejects (see the run on the console)`);
    const success = health.recordSuccess(mode);
    if (success.resetLine) log.info(success.resetLine, { event: "alert_reset", mode });
    return { ok: true, totals };
  } catch (error) {
    const message = (error as Error).message;
    const failure = health.recordFailure(mode, message, attemptsOf(error));
    log.error(`api ingest failed mode=${mode} consecutive_failures=${failure.consecutiveFailures}: ${message}`, {
      event: "ingest_failed",
      mode,
    });
    if (failure.alertLine) {
      log.error(failure.alertLine, { event: "alert", mode, consecutiveFailures: failure.consecutiveFailures });
      if (failure.newlyReached && options.webhookUrl)
        await postWebhook(options.webhookUrl, failure.alertLine, options.fetch, log);
    }
    // The server answered (it failed the push, it is reachable): tell it now. An
    // unreachable server hears of the cycle with the next ingest that gets through.
    if (statusInChain(error) !== undefined) {
      try {
        await api.reportFailure(failureReport(options.collector, mode, failure.cycle));
        health.markReported(mode, [failure.cycle.cycle_id]);
      } catch (reportError) {
        log.warn(`failure report not sent now (sent with the next ingest): ${(reportError as Error).message}`);
      }
    }
    return {
      ok: false,
      error: message,
      consecutiveFailures: failure.consecutiveFailures,
      alert: failure.thresholdReached,
    };
  }
}

/** One failed cycle as the server's failure report. */
function failureReport(collector: string, mode: CollectorMode, cycle: UnreportedFailure): ReportFailureInput {
  return {
    collector,
    mode,
    error: cycle.error,
    attempts: cycle.attempts,
    occurredAt: cycle.at,
    consecutive: cycle.consecutive,
    cycleId: cycle.cycle_id,
  };
}

/** The calls the failed cycle made (the retry's count), 1 when unknown. */
function attemptsOf(error: unknown): number {
  for (let e: unknown = error; e instanceof Error; e = e.cause) if (e instanceof RetryError) return e.attempts;
  return 1;
}

async function postWebhook(
  url: string,
  text: string,
  fetchImpl: typeof fetch | undefined,
  log: CollectorLog,
): Promise<void> {
  try {
    const response = await (fetchImpl ?? fetch)(url, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ text }),
      signal: AbortSignal.timeout(10_000),
    });
    if (!response.ok) log.warn(`alert webhook answered ${response.status}`);
  } catch (error) {
    log.warn(`alert webhook failed: ${(error as Error).message}`);
  }
}
