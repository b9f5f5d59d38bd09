// `collector cutover import` (step 4) and the wording every import pass
// shares, whether it reads a finished export (import.ts) or writes the export
// as it sends it (the one pass of `cutover all`, cutover-one-pass.ts).
import type { ImportFigures } from "~/shared/schemas/cutover-figures";
import type { TableResult } from "~/shared/schemas/ingest";
import { syncTableNames, syncTables, type SyncTable } from "~/shared/schemas/tables";
import type { CollectorContext } from "../context";
import { BULK_CHUNK_ROWS, importExport, type ImportOptions, type ImportResult } from "../cutover/import";
import { unfinishedOnePass } from "../cutover/one-pass";
import { rejectLogPath, unusedPath } from "../cutover/paths";
import { rejectReasonLines, summarizeRejectLog } from "../cutover/reject-summary";
import { stampOf, type CutoverSession } from "../cutover/session";
import {
  dataDirOf,
  EXIT_INTERRUPTED,
  openSession,
  runStep,
  throttle,
  type CutoverOptions,
  type StepOutcome,
  type StepResult,
} from "../cutover/steps";
import { cutoverExportImport } from "./cutover-one-pass";

export type ImportStepOptions = CutoverOptions & {
  exportDir?: string;
  dryRun?: boolean;
  batchSize?: number;
  concurrency?: number;
  /** Tables imported at once (default TABLES_IN_PARALLEL). */
  tablesInParallel?: number;
  signal?: AbortSignal;
};

/** Rows stored with anomalies, where there are any: " anomalies=N". */
const anomaliesPart = (t: TableResult) => (t.anomalies ? ` anomalies=${t.anomalies}` : "");

function serverTables(tables: Record<SyncTable, TableResult>) {
  return Object.fromEntries(syncTableNames.filter((t) => tables[t]).map((t) => [syncTables[t].server, tables[t]]));
}

/** The options and callbacks every import pass takes from the step: where rejects go, chunk sizes, its lines. */
export function importPassOptions(
  ctx: CollectorContext,
  s: CutoverSession,
  options: ImportStepOptions,
  exportDir: string,
  recordRunning: (pass?: number) => Promise<void>,
): Omit<ImportOptions, "dryRun"> {
  const dataDir = dataDirOf(ctx, options);
  const tick = throttle();
  return {
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
    onProgress: (p) => {
      if (!tick(p.done)) return;
      const t = p.totals;
      ctx.log.info(
        `import ${p.sqlite} → ${syncTables[p.table].server}: ${p.rows}/${p.total} rows${p.done ? " done" : ""} inserted=${t.inserted} updated=${t.updated} unchanged=${t.unchanged} rejected=${t.rejected}${anomaliesPart(t)}${options.dryRun ? " (dry run)" : ""}`,
        { event: "progress", step: "import", ...p },
      );
    },
  };
}

/** How to go on after Ctrl-C: one line. */
export const resumeLine = (exportDir: string, then: string) =>
  `interrupted: the chunks in flight were finished and recorded in ${exportDir}; resume with "collector cutover import"${then}`;

/** A finished (or interrupted) pass as the step's outcome: its lines, figures and summary. */
export async function importOutcome<R extends ImportResult>(
  ctx: CollectorContext,
  result: R,
  options: { dryRun?: boolean; exportDir: string },
): Promise<StepOutcome<R>> {
  const verb = options.dryRun ? "would be " : "";
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
    heldBatches: result.heldBatches,
  };
  if (result.interrupted)
    return { ok: false, interrupted: true, message: resumeLine(options.exportDir, ""), figures, value: result };
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
  const held = result.heldBatches;
  const heldNote = held
    ? `; ${held} ${held === 1 ? "chunk the server already held as it is was" : "chunks the server already held as they are were"} not sent`
    : "";
  ctx.log.info(`import ok ${summary}${anomalyNote}${heldNote}`, { event: "import_ok", ...figures });
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
}

/** Rejected rows are accounted for (in the reject log) but not on the server: exit 1, as catch-up does. */
export const withRejectsExit = <T extends StepResult<ImportResult>>(result: T, dryRun?: boolean): T => ({
  ...result,
  exitCode: result.ok && !dryRun && (result.value?.rejected ?? 0) > 0 ? 1 : result.exitCode,
});

export async function cutoverImport(
  ctx: CollectorContext,
  options: ImportStepOptions,
  session?: CutoverSession,
): Promise<StepResult<ImportResult>> {
  const s = session ?? (await openSession(ctx, options));
  const exportDir = options.exportDir ?? s.state.exportDir;
  // An export written in one pass with an import that did not finish: resumed as it started, export and import together.
  const unfinished = exportDir ? unfinishedOnePass(exportDir) : null;
  if (exportDir && unfinished && options.dryRun)
    return runStep(ctx, s, "import", () => {
      throw new Error(
        `${exportDir} is being written in one pass with the import of key ${unfinished.keyPrefix}, which did not finish: nothing to dry-run yet. Resume it with collector cutover import (no --dry-run)`,
      );
    });
  if (exportDir && unfinished) {
    const result = await cutoverExportImport(ctx, { ...options, outDir: exportDir }, s);
    if (result.exitCode === EXIT_INTERRUPTED) ctx.log.warn(result.message, { event: "interrupted" });
    return { ...result, value: result.value?.import };
  }
  const work = async (recordRunning: (pass?: number) => Promise<void>): Promise<StepOutcome<ImportResult>> => {
    if (!exportDir)
      throw new Error("no export to import: run collector cutover export first, or pass --export-dir <dir>");
    const result = await importExport({
      ...importPassOptions(ctx, s, options, exportDir, recordRunning),
      dryRun: options.dryRun ?? false,
    });
    return importOutcome(ctx, result, { exportDir, ...(options.dryRun ? { dryRun: true } : {}) });
  };
  const result = await runStep(ctx, s, "import", work, { deferRunning: true });
  if (result.exitCode === EXIT_INTERRUPTED) ctx.log.warn(result.message, { event: "interrupted" });
  return withRejectsExit(result, options.dryRun);
}
