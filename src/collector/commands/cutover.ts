// `collector cutover freeze|snapshot|export|import|restore|all` (validate in
// cutover-validate.ts): move this machine's SQLite state into the central
// PostgreSQL. Each step is a function (tests call them) run by the step
// machine (cutover/steps.ts); here is only its work's wording, one line per
// event.
import path from "node:path";
import type { CollectorContext } from "../context";
import { exportSnapshot } from "../cutover/export";
import { exportDirPath, stampOfSnapshot, type ExportManifest } from "../cutover/paths";
import { stampOf, type CutoverSession, type CutoverStepName } from "../cutover/session";
import { snapshotDatabase, verifyIntegrity, type IntegrityResult, type SnapshotResult } from "../cutover/snapshot";
import {
  dataDirOf,
  EXIT_INTERRUPTED,
  openSession,
  runStep,
  runStepsInOrder,
  throttle,
  type CutoverOptions,
  type StepResult,
} from "../cutover/steps";
import { freeze, isFrozen, unfreeze } from "../scheduler/freeze";
import { describeRun, IdleTimeoutError, waitUntilIdle } from "../scheduler/run-lock";
import { resumeLine } from "./cutover-import";
import { cutoverExportImport, exportFigures } from "./cutover-one-pass";
import { cutoverValidate } from "./cutover-validate";
import { runCommand } from "./run";

export type { CutoverOptions, StepResult } from "../cutover/steps";
export { cutoverValidate } from "./cutover-validate";
export { cutoverImport } from "./cutover-import";
export { cutoverExportImport } from "./cutover-one-pass";

// ---- 1. freeze --------------------------------------------------------------

export async function cutoverFreeze(
  ctx: CollectorContext,
  options: CutoverOptions & { timeoutSeconds?: number },
  session?: CutoverSession,
) {
  const s = session ?? (await openSession(ctx, options));
  const timeoutSeconds = options.timeoutSeconds ?? 600;
  return runStep(ctx, s, "freeze", async () => {
    const state = freeze({ reason: `cutover ${s.state.label}`, file: ctx.config.XMONITOR_FREEZE_FILE, clock: ctx.now });
    ctx.log.info(
      `freeze: scheduler frozen since ${state.since}; waiting up to ${timeoutSeconds} s for runs in progress to finish`,
      { event: "frozen", since: state.since },
    );
    const started = Date.now();
    try {
      await waitUntilIdle(timeoutSeconds * 1000, { dir: ctx.config.XMONITOR_RUN_LOCK_DIR });
    } catch (error) {
      if (!(error instanceof IdleTimeoutError)) throw error;
      const message = `collector runs still in progress after ${timeoutSeconds} s: ${error.running.map(describeRun).join("; ")}. The freeze flag stays set: wait and run "collector cutover freeze" again (or "collector cutover restore" to give up).`;
      return {
        ok: false,
        message,
        figures: { frozenSince: state.since, stillRunning: error.running },
        value: { since: state.since },
      };
    }
    const waitedMs = Date.now() - started;
    ctx.log.info(`freeze ok: no collector run in progress (waited ${(waitedMs / 1000).toFixed(1)} s)`, {
      event: "freeze_ok",
      waitedMs,
    });
    return {
      ok: true,
      message: "frozen, no run in progress",
      figures: { frozenSince: state.since, reason: state.reason, waitedMs },
      value: { since: state.since },
    };
  });
}

// ---- 2. snapshot ------------------------------------------------------------

export async function cutoverSnapshot(
  ctx: CollectorContext,
  options: CutoverOptions & { source?: string; verify?: (file: string) => IntegrityResult },
  session?: CutoverSession,
): Promise<StepResult<{ snapshot: SnapshotResult; integrity: IntegrityResult }>> {
  const s = session ?? (await openSession(ctx, options));
  const source = options.source ?? ctx.config.XMONITOR_DB_PATH;
  return runStep(ctx, s, "snapshot", async () => {
    const tick = throttle();
    const snapshot = await snapshotDatabase({
      source,
      dataDir: dataDirOf(ctx, options),
      now: ctx.now,
      stamp: stampOf(s.state),
      onProgress: (done, total) => {
        if (tick(done === total))
          ctx.log.info(`snapshot: ${done}/${total} pages copied`, { event: "progress", step: "snapshot", done, total });
      },
    });
    s.state.snapshot = snapshot.path;
    s.save();
    ctx.log.info(
      `snapshot: ${source} copied to ${snapshot.path} (${snapshot.pages} pages, ${snapshot.bytes} bytes) with the online backup API`,
      { event: "snapshot", ...snapshot },
    );
    const integrity = (options.verify ?? verifyIntegrity)(snapshot.path);
    const figures = {
      path: snapshot.path,
      source: path.resolve(source),
      bytes: snapshot.bytes,
      pages: snapshot.pages,
      integrityCheck: integrity.ok ? "ok" : integrity.lines.slice(0, 20),
    };
    if (!integrity.ok) {
      const message = `PRAGMA integrity_check on ${snapshot.path} did not say ok: ${integrity.lines.slice(0, 5).join(" | ")}. Stopped before export: nothing was sent to the server. Repair or restore the live database, then start again.`;
      return { ok: false, message, figures, value: { snapshot, integrity } };
    }
    ctx.log.info(`snapshot ok: integrity_check ok on ${snapshot.path}`, { event: "integrity_ok" });
    return { ok: true, message: `integrity_check ok`, figures, value: { snapshot, integrity } };
  });
}

// ---- 3. export --------------------------------------------------------------

export async function cutoverExport(
  ctx: CollectorContext,
  options: CutoverOptions & { snapshot?: string; outDir?: string },
  session?: CutoverSession,
): Promise<StepResult<ExportManifest>> {
  const s = session ?? (await openSession(ctx, options));
  return runStep(ctx, s, "export", async () => {
    const snapshot = options.snapshot ?? s.state.snapshot;
    if (!snapshot)
      throw new Error("no snapshot to export: run collector cutover snapshot first, or pass --snapshot <file>");
    const stamp = options.snapshot ? (stampOfSnapshot(snapshot) ?? stampOf(s.state)) : stampOf(s.state);
    const outDir = path.resolve(options.outDir ?? exportDirPath(dataDirOf(ctx, options), stamp));
    const tick = throttle();
    const manifest = await exportSnapshot({
      snapshot,
      outDir,
      now: ctx.now,
      onProgress: (p) => {
        if (tick(p.done))
          ctx.log.info(`export ${p.sqlite}: ${p.rows}/${p.total} rows${p.done ? " done" : ""}`, {
            event: "progress",
            step: "export",
            ...p,
          });
      },
    });
    s.state.exportDir = outDir;
    s.save();
    const figures = { ...exportFigures(manifest, outDir), snapshot };
    ctx.log.info(`export ok: ${manifest.files.map((f) => `${f.sqlite}=${f.rows}`).join(" ")} in ${outDir}`, {
      event: "export_ok",
      outDir,
      tables: figures.tables,
    });
    return { ok: true, message: `exported to ${outDir}`, figures, value: manifest };
  });
}

// ---- 6. restore -------------------------------------------------------------

export async function cutoverRestore(
  ctx: CollectorContext,
  options: CutoverOptions & { canary?: boolean },
  session?: CutoverSession,
) {
  const s = session ?? (await openSession(ctx, options));
  return runStep(
    ctx,
    s,
    "restore",
    async () => {
      const was = isFrozen(ctx.config.XMONITOR_FREEZE_FILE);
      unfreeze(ctx.config.XMONITOR_FREEZE_FILE);
      ctx.log.info(
        was
          ? `restore: freeze flag cleared (frozen since ${was.since}); scheduled jobs run again`
          : "restore: the collector was not frozen",
        { event: "unfrozen" },
      );
      const canary: Record<string, string> = {};
      if (options.canary) {
        // The discovery canary ends with refresh-24h, as operators run it: the last day's metrics refreshed.
        for (const mode of ["priority", "discovery", "refresh-24h"] as const) {
          const run = await runCommand(ctx, { mode });
          const ingestError = run.ingest && !run.ingest.ok ? run.ingest.error : undefined;
          canary[mode] =
            run.exitCode === 0 && run.ingest?.ok
              ? "api ingest ok"
              : `failed: ${run.collected?.error ?? ingestError ?? "see the lines above"}`;
          if (canary[mode] === "api ingest ok")
            ctx.log.info(`restore canary mode=${mode}: api ingest ok`, { event: "canary_ok", mode });
          else ctx.log.error(`restore canary mode=${mode} ${canary[mode]}`, { event: "canary_failed", mode });
        }
      }
      const failed = Object.entries(canary).filter(([, v]) => v !== "api ingest ok");
      const message = failed.length
        ? `canary failed for ${failed.map(([m]) => m).join(", ")}`
        : options.canary
          ? "unfrozen; canary api ingest ok for priority, discovery and refresh-24h"
          : "unfrozen";
      return { ok: failed.length === 0, message, figures: { unfrozen: true, canary }, value: { canary } };
    },
    { last: true },
  );
}

// ---- all --------------------------------------------------------------------

export type CutoverAllOptions = CutoverOptions & {
  timeoutSeconds?: number;
  source?: string;
  batchSize?: number;
  tablesInParallel?: number;
  sample?: number;
  seed?: string;
  ignoreRuns?: string[];
  canary?: boolean;
  signal?: AbortSignal;
  verify?: (file: string) => IntegrityResult;
};

export async function cutoverAll(
  ctx: CollectorContext,
  options: CutoverAllOptions,
): Promise<{ exitCode: number; cutoverId: string; stoppedAt: CutoverStepName | null; message: string }> {
  const session = await openSession(ctx, { ...options, fresh: true });
  const stopped = await runStepsInOrder([
    ["freeze", () => cutoverFreeze(ctx, options, session)],
    ["snapshot", () => cutoverSnapshot(ctx, options, session)],
    // Export and the first import pass in one read of the snapshot (docs/decisions/019).
    ["export", () => cutoverExportImport(ctx, options, session)],
    ["validate", () => cutoverValidate(ctx, options, session)],
    ["restore", () => cutoverRestore(ctx, options, session)],
  ]);
  if (stopped?.result.exitCode === EXIT_INTERRUPTED) {
    const dir = session.state.exportDir ?? "the export directory";
    const message = resumeLine(dir, ', then "collector cutover validate" and "collector cutover restore"');
    ctx.log.warn(message, { event: "interrupted", cutoverId: session.state.cutoverId });
    return { exitCode: EXIT_INTERRUPTED, cutoverId: session.state.cutoverId, stoppedAt: "import", message };
  }
  if (stopped) {
    const name = (stopped.result as { failedStep?: CutoverStepName }).failedStep ?? stopped.step;
    const frozen = name !== "restore" && isFrozen(ctx.config.XMONITOR_FREEZE_FILE) !== undefined;
    const message = `cutover stopped at ${name}: ${stopped.result.message}${frozen ? ' The collector stays frozen: fix the cause and run the remaining steps (collector cutover <step>), or "collector cutover restore" to resume collecting.' : ""}`;
    ctx.log.error(message, { event: "cutover_stopped", step: name, cutoverId: session.state.cutoverId });
    return { exitCode: 1, cutoverId: session.state.cutoverId, stoppedAt: name, message };
  }
  ctx.log.info(`cutover ${session.state.label} done: record ${session.state.cutoverId}`, {
    event: "cutover_done",
    cutoverId: session.state.cutoverId,
  });
  return { exitCode: 0, cutoverId: session.state.cutoverId, stoppedAt: null, message: "done" };
}
