// `cutover all`'s export and first import pass in one read of the snapshot
// (cutover/one-pass.ts, docs/decisions/019): recorded as the two steps they
// are, each with the figures it records alone (the import's inside the
// export's: export running, import running, import done, export done), so
// /cutovers/<id> shows both. `collector cutover import` resumes it.
import path from "node:path";
import type { ExportFigures } from "~/shared/schemas/cutover-figures";
import type { CollectorContext } from "../context";
import { exportAndImport, unfinishedOnePass, type OnePassResult } from "../cutover/one-pass";
import { exportDirPath, type ExportManifest } from "../cutover/paths";
import { stampOf, type CutoverSession, type CutoverStepName } from "../cutover/session";
import { dataDirOf, EXIT_INTERRUPTED, openSession, runStep, type StepOutcome, type StepResult } from "../cutover/steps";
import { importOutcome, importPassOptions, type ImportStepOptions } from "./cutover-import";

export type OnePassStepResult = StepResult<{ manifest: ExportManifest | null; import?: OnePassResult }> & {
  /** The step that stopped it, when one did. */
  failedStep?: CutoverStepName;
};

/** The export's figures, as `cutover export` records them. */
export function exportFigures(manifest: ExportManifest, dir: string): ExportFigures {
  const tables = Object.fromEntries(
    manifest.files.map((f) => [f.sqlite, { rows: f.rows, bytes: f.bytes, sha256: f.sha256 }]),
  );
  return { dir, snapshot: manifest.snapshot, tables };
}

export async function cutoverExportImport(
  ctx: CollectorContext,
  options: ImportStepOptions & { snapshot?: string; outDir?: string },
  session?: CutoverSession,
): Promise<OnePassStepResult> {
  const s = session ?? (await openSession(ctx, options));
  let imported: StepResult<OnePassResult> | undefined;
  const result = await runStep(
    ctx,
    s,
    "export",
    async (): Promise<StepOutcome<{ manifest: ExportManifest | null }>> => {
      const outDir = path.resolve(options.outDir ?? exportDirPath(dataDirOf(ctx, options), stampOf(s.state)));
      const snapshot = unfinishedOnePass(outDir)?.snapshot ?? options.snapshot ?? s.state.snapshot;
      if (!snapshot)
        throw new Error("no snapshot to export: run collector cutover snapshot first, or pass --snapshot <file>");
      s.state.exportDir = outDir;
      s.save();
      ctx.log.info(`export ${snapshot} to ${outDir} in the same pass as the import`, {
        event: "export_started",
        snapshot,
        outDir,
      });
      imported = await runStep(
        ctx,
        s,
        "import",
        async (recordRunning) => {
          const value = await exportAndImport({
            ...importPassOptions(ctx, s, options, outDir, recordRunning),
            snapshot,
          });
          return importOutcome(ctx, value, { exportDir: outDir });
        },
        { deferRunning: true },
      );
      const manifest = imported.value?.manifest ?? null;
      if (!imported.ok || !manifest)
        return {
          ok: false,
          ...(imported.exitCode === EXIT_INTERRUPTED ? { interrupted: true } : {}),
          message: `the export is written with the import, which stopped: ${imported.message}`,
          figures: {},
          value: { manifest: null },
        };
      const figures = exportFigures(manifest, outDir);
      ctx.log.info(`export ok: ${manifest.files.map((f) => `${f.sqlite}=${f.rows}`).join(" ")} in ${outDir}`, {
        event: "export_ok",
        outDir,
        tables: figures.tables,
      });
      return { ok: true, message: `exported to ${outDir}`, figures, value: { manifest } };
    },
  );
  const done = imported;
  if (!done) return { ...result, failedStep: "export" };
  // The import's result decides: its exit code (rejects, Ctrl-C) and its message.
  // Rejected rows are accounted for (in the reject log) but not on the server: exit 1, as the import alone does.
  const rejected = (done.value?.rejected ?? 0) > 0;
  return {
    exitCode: result.ok ? (rejected ? 1 : done.exitCode) : done.ok ? result.exitCode : done.exitCode,
    ok: result.ok && done.ok,
    message: done.ok ? result.message : done.message,
    value: { manifest: result.value?.manifest ?? null, ...(done.value ? { import: done.value } : {}) },
    ...(result.ok && done.ok ? {} : { failedStep: done.ok ? "export" : "import" }),
  };
}
