// `collector cutover freeze|snapshot|export|import|restore|all` (validate in
// cutover-validate.ts): move this machine's SQLite state into the central
// PostgreSQL. Each step is a function (tests call them) run by the step
// machine (cutover/steps.ts); here is only its work's wording, one line per
// event.
import path from "node:path";
import type { ExportFigures, ImportFigures } from "~/shared/schemas/cutover-figures";
import type { TableResult } from "~/shared/schemas/ingest";
import { syncTableNames, syncTables, type SyncTable } from "~/shared/schemas/tables";
import type { CollectorContext } from "../context";
import { exportSnapshot } from "../cutover/export";
import { BULK_CHUNK_ROWS, importExport, type ImportProgress, type ImportResult } from "../cutover/import";
import { exportDirPath, rejectLogPath, stampOfSnapshot, unusedPath, type ExportManifest } from "../cutover/paths";
import { rejectReasonLines, summarizeRejectLog } from "../cutover/reject-summary";
import { stampOf, type CutoverSession, type CutoverStepName } from "../cutover/session";
import { snapshotDatabase, verifyIntegrity, type IntegrityResult, type SnapshotResult } from "../cutover/snapshot";
import {
  dataDirOf,
  openSession,
  runStep,
  runStepsInOrder,
  throttle,
  type CutoverOptions,
  type StepOutcome,
  type StepResult,
} from "../cutover/steps";
import { freeze, isFrozen, unfreeze } from "../scheduler/freeze";
import { describeRun, IdleTimeoutError, waitUntilIdle } from "../scheduler/run-lock";
import { cutoverValidate } from "./cutover-validate";
import { runCommand } from "./run";

export type { CutoverOptions, StepResult } from "../cutover/steps";
export { cutoverValidate } from "./cutover-validate";

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
    const tables = Object.fromEntries(
      manifest.files.map((f) => [f.sqlite, { rows: f.rows, bytes: f.bytes, sha256: f.sha256 }]),
    );
    ctx.log.info(`export ok: ${manifest.files.map((f) => `${f.sqlite}=${f.rows}`).join(" ")} in ${outDir}`, {
      event: "export_ok",
      outDir,
      tables,
    });
    const figures: ExportFigures = { dir: outDir, snapshot, tables };
    return { ok: true, message: `exported to ${outDir}`, figures, value: manifest };
  });
}

// ---- 4. import --------------------------------------------------------------

/** Rows stored with anomalies, where there are any: " anomalies=N". */
const anomaliesPart = (t: TableResult) => (t.anomalies ? ` anomalies=${t.anomalies}` : "");

function serverTables(tables: Record<SyncTable, TableResult>) {
  return Object.fromEntries(syncTableNames.filter((t) => tables[t]).map((t) => [syncTables[t].server, tables[t]]));
}

export async function cutoverImport(
  ctx: CollectorContext,
  options: CutoverOptions & {
    exportDir?: string;
    dryRun?: boolean;
    batchSize?: number;
    concurrency?: number;
    /** Tables imported at once (default TABLES_IN_PARALLEL). */
    tablesInParallel?: number;
    signal?: AbortSignal;
  },
  session?: CutoverSession,
): Promise<StepResult<ImportResult>> {
  const s = session ?? (await openSession(ctx, options));
  const exportDir = options.exportDir ?? s.state.exportDir;
  const dataDir = dataDirOf(ctx, options);
  const verb = options.dryRun ? "would be " : "";
  const work = async (recordRunning: (pass?: number) => Promise<void>): Promise<StepOutcome<ImportResult>> => {
    if (!exportDir)
      throw new Error("no export to import: run collector cutover export first, or pass --export-dir <dir>");
    const tick = throttle();
    const result = await importExport({
      exportDir,
      dataDir,
      log: ctx.log,
      api: ctx.api,
      collector: ctx.config.XMONITOR_COLLECTOR_NAME,
      label: s.state.label,
      newRejectLog: (role) => unusedPath(rejectLogPath(dataDir, role, stampOf(s.state))),
      // Chunks for the bulk path: larger than a run's batches (XMONITOR_INGEST_BATCH_SIZE), bytes capped first.
      batchSize: options.batchSize ?? BULK_CHUNK_ROWS,
      concurrency: options.concurrency ?? ctx.config.XMONITOR_INGEST_CONCURRENCY,
      ...(options.tablesInParallel ? { tablesInParallel: options.tablesInParallel } : {}),
      dryRun: options.dryRun ?? false,
      now: ctx.now,
      ...(options.signal ? { signal: options.signal } : {}),
      onPassStart: async (p) => {
        await recordRunning(p.pass || undefined);
        const what = options.dryRun
          ? "dry run (nothing is written)"
          : `pass ${p.pass}${p.resumed ? " (resumed from the checkpoint)" : ""}`;
        ctx.log.info(
          `import ${what} with key ${p.keyPrefix} (role ${p.role}) from ${exportDir}${p.rejectLog ? `; rejects go to ${p.rejectLog}` : ""}`,
          { event: "import_started", ...p },
        );
        if (p.rejectLog && !s.state.rejectLogs.includes(p.rejectLog)) {
          s.state.rejectLogs.push(p.rejectLog);
          s.save();
        }
      },
      onProgress: (p: ImportProgress) => {
        if (!tick(p.done)) return;
        const t = p.totals;
        ctx.log.info(
          `import ${p.sqlite} → ${syncTables[p.table].server}: ${p.rows}/${p.total} rows${p.done ? " done" : ""} inserted=${t.inserted} updated=${t.updated} unchanged=${t.unchanged} rejected=${t.rejected}${anomaliesPart(t)}${options.dryRun ? " (dry run)" : ""}`,
          { event: "progress", step: "import", ...p },
        );
      },
    });
    const anomalyTotal = syncTableNames.reduce((sum, t) => sum + (result.tables[t]?.anomalies ?? 0), 0);
    // Reasons by table, read back from the pass's reject log (a resumed pass counts each reject once).
    const rejectReasons = result.rejectLog ? await summarizeRejectLog(result.rejectLog) : {};
    const figures: ImportFigures = {
      pass: result.pass || null,
      dryRun: result.dryRun,
      role: result.role,
      keyPrefix: result.keyPrefix,
      resumed: result.resumed,
      tables: serverTables(result.tables),
      rejected: result.rejected,
      anomalies: anomalyTotal,
      rejectLog: result.rejectLog,
      rejectReasons,
      batches: result.batches,
      replayedBatches: result.replayedBatches,
    };
    if (result.interrupted) {
      return {
        ok: false,
        message: `interrupted: the checkpoint in ${exportDir} holds the last committed batch; run collector cutover import again with the same key to resume`,
        figures,
        value: result,
      };
    }
    const lines = syncTableNames
      .filter((t) => result.tables[t])
      .map((t) => {
        const r = result.tables[t];
        return `${syncTables[t].server}: ${verb}inserted=${r.inserted} ${verb}updated=${r.updated} unchanged=${r.unchanged} ${verb}rejected=${r.rejected}${anomaliesPart(r)}`;
      });
    for (const line of lines) ctx.log.info(`import ${line}`);
    const summary = options.dryRun
      ? `dry run: ${result.rejected} rows would be rejected with key ${result.keyPrefix} (role ${result.role})`
      : `pass ${result.pass}: ${result.rejected} rows rejected${result.rejected ? `, all in ${result.rejectLog}; import again with a key that may write them` : ""}`;
    const anomalyNote = anomalyTotal
      ? `; ${anomalyTotal} rows ${options.dryRun ? "would be " : ""}stored with anomalies (values X would not issue), listed on each row's page, e.g. /posts/<status id>`
      : "";
    ctx.log.info(`import ok ${summary}${anomalyNote}`, { event: "import_ok", ...figures });
    if (!options.dryRun) {
      const reasonLines = rejectReasonLines(rejectReasons);
      ctx.log.info(
        reasonLines.length
          ? `import pass ${result.pass} rejects by table and reason:`
          : `import pass ${result.pass} rejects by table and reason: none`,
        { event: "reject_reasons", pass: result.pass, rejectReasons },
      );
      for (const line of reasonLines) ctx.log.info(line);
    }
    return { ok: true, message: summary, figures, value: result };
  };
  const result = await runStep(ctx, s, "import", work, { deferRunning: true });
  // Rejected rows are accounted for (in the reject log) but not on the server: exit 1, as catch-up does.
  return {
    ...result,
    exitCode: result.ok && !options.dryRun && (result.value?.rejected ?? 0) > 0 ? 1 : result.exitCode,
  };
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
    ["export", () => cutoverExport(ctx, options, session)],
    ["import", () => cutoverImport(ctx, options, session)],
    ["validate", () => cutoverValidate(ctx, options, session)],
    ["restore", () => cutoverRestore(ctx, options, session)],
  ]);
  if (stopped) {
    const name = stopped.step;
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
