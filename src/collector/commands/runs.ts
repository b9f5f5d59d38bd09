// `collector runs remove <runId> --reason <why> [--yes]`: removes a run made
// by hand on the server (a smoke test's synthetic row), with an admin key.
// Without --yes it only says what would go and what would stay.
import path from "node:path";
import type { CollectorContext } from "../context";
import { noteCleanup } from "../cutover/session";

/** Exit code when the removal was only previewed (nothing changed). */
export const PREVIEW_ONLY_EXIT_CODE = 2;

export async function runsRemoveCommand(
  ctx: CollectorContext,
  options: { runId: string; reason: string; yes: boolean },
): Promise<{ exitCode: number }> {
  const { log, api } = ctx;
  try {
    const p = await api.runRemovalPreview(options.runId);
    log.info(
      `run ${p.runId} (${p.mode}, collector ${p.collector ?? "none"}, started ${p.runAt.toISOString()}, ${p.status}): ` +
        `removing it takes the run and ${p.reports} report(s); ${p.batches} ingest batch(es) and ${p.posts} post(s) stay`,
      { event: "removal_preview", preview: p },
    );
    if (!options.yes) {
      log.info("nothing removed: run again with --yes to remove it", { event: "removal_not_confirmed" });
      return { exitCode: PREVIEW_ONLY_EXIT_CODE };
    }
    const removed = await api.removeRun({ runId: options.runId, reason: options.reason });
    log.info(
      `removed run ${removed.runId} and ${removed.removedReports} report(s); recorded as removal ${removed.removalId} with the reason "${options.reason}"`,
      { event: "run_removed", removal: removed },
    );
    // A cutover in progress here: its next validate is the post-cleanup one.
    if (
      noteCleanup(path.dirname(path.resolve(ctx.config.XMONITOR_DB_PATH)), {
        runId: removed.runId,
        at: ctx.now().toISOString(),
      })
    )
      log.info("noted in the cutover in progress: its next validate writes validate_cutover_post_cleanup_<stamp>.json");
    return { exitCode: 0 };
  } catch (error) {
    log.error(`runs remove ${options.runId} failed: ${(error as Error).message}`);
    return { exitCode: 1 };
  }
}
