// `collector status`, `freeze`, `unfreeze`: what the scheduler may do, what
// runs now, how the last runs went and how ingest is doing per mode.
import type { CollectorContext } from "../context";
import { freeze, isFrozen, unfreeze } from "../scheduler/freeze";
import { describeRun, listRunsInProgress } from "../scheduler/run-lock";
import type { RunRow } from "../store/sqlite-store";

export function statusCommand(ctx: CollectorContext, options: { json?: boolean; runs?: number }) {
  const frozen = isFrozen(ctx.config.XMONITOR_FREEZE_FILE) ?? null;
  const inProgress = listRunsInProgress({ dir: ctx.config.XMONITOR_RUN_LOCK_DIR });
  const lastRuns = ctx.store.db
    .prepare("select * from runs order by julianday(run_at) desc limit ?")
    .all(options.runs ?? 10) as RunRow[];
  const health = ctx.health.read();
  const status = {
    collector: ctx.config.XMONITOR_COLLECTOR_NAME,
    frozen,
    inProgress,
    lastRuns,
    health,
    threshold: ctx.health.threshold,
  };
  if (options.json) {
    process.stdout.write(`${JSON.stringify(status)}\n`);
    return status;
  }
  const { log } = ctx;
  log.info(
    `collector ${status.collector}: ${frozen ? `FROZEN since ${frozen.since}${frozen.by ? ` by ${frozen.by}` : ""} (${frozen.reason})` : "scheduling active"}`,
  );
  log.info(inProgress.length ? `in progress: ${inProgress.map(describeRun).join("; ")}` : "in progress: nothing");
  for (const [mode, h] of Object.entries(health)) {
    const state =
      h.consecutive_failures >= ctx.health.threshold ? "ALERT" : h.consecutive_failures > 0 ? "failing" : "ok";
    log.info(
      `ingest ${mode}: ${state} consecutive_failures=${h.consecutive_failures} last_success=${h.last_success_at ?? "never"} last_failure=${h.last_failure_at ?? "never"}${h.last_error ? ` last_error=${h.last_error}` : ""}`,
    );
  }
  if (Object.keys(health).length === 0) log.info("ingest: no cycles yet");
  for (const run of lastRuns)
    log.info(
      `run ${run.run_id} ${run.mode.padEnd(11)} ${run.status.padEnd(7)} ${run.run_at} fetched=${run.fetched_count} new=${run.new_count}${run.error ? ` error=${run.error}` : ""}`,
    );
  return status;
}

export function freezeCommand(ctx: CollectorContext, options: { reason: string }) {
  const state = freeze({ reason: options.reason, file: ctx.config.XMONITOR_FREEZE_FILE, clock: ctx.now });
  ctx.log.info(`frozen: scheduled jobs are skipped until unfreeze (reason: ${state.reason})`);
  return state;
}

export function unfreezeCommand(ctx: CollectorContext) {
  const was = unfreeze(ctx.config.XMONITOR_FREEZE_FILE);
  ctx.log.info(was ? "unfrozen: scheduled jobs run again" : "was not frozen");
  return was;
}
