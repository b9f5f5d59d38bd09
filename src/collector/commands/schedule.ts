// `collector schedule`: the long-running scheduler. Each job never overlaps
// itself and is skipped while the freeze flag is set.
import type { CollectorContext } from "../context";
import { createScheduler, type Scheduler } from "../scheduler/scheduler";
import { reconcileCommand } from "./reconcile";
import { runCommand } from "./run";

export function createCollectorScheduler(ctx: CollectorContext): Scheduler {
  const { config } = ctx;
  for (const runId of ctx.store.markStaleRunsFailed())
    ctx.log.warn(`run ${runId} was left running by a process that ended mid-run: marked failed`);
  return createScheduler({
    timezone: config.XMONITOR_TIMEZONE,
    freezeFile: config.XMONITOR_FREEZE_FILE,
    log: ctx.log,
    jobs: [
      {
        name: "priority",
        cron: config.XMONITOR_CRON_PRIORITY,
        run: async () => void (await runCommand(ctx, { mode: "priority" })),
      },
      {
        name: "discovery",
        cron: config.XMONITOR_CRON_DISCOVERY,
        run: async () => void (await runCommand(ctx, { mode: "discovery" })),
      },
      {
        name: "refresh-24h",
        cron: config.XMONITOR_CRON_REFRESH_24H,
        run: async () => void (await runCommand(ctx, { mode: "refresh-24h" })),
      },
      {
        name: "reconcile",
        cron: config.XMONITOR_CRON_RECONCILE,
        // The daily check compares content too (reconcile --deep).
        run: async () => void (await reconcileCommand(ctx, { deep: true })),
      },
    ],
  });
}
