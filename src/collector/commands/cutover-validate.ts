// `collector cutover validate`: count deltas (server − snapshot) and a
// seeded spot check, printed table by table and kept as a JSON report.
import path from "node:path";
import { syncTables } from "~/shared/schemas/tables";
import type { CollectorContext } from "../context";
import { cutoverStamp, unusedPath, validateReportPath } from "../cutover/paths";
import type { CutoverSession } from "../cutover/session";
import { dataDirOf, openSession, runStep, type CutoverOptions, type StepResult } from "../cutover/steps";
import { DELTA_CONVENTION, validateCutover, type ValidateResult } from "../cutover/validate";
import { writeJsonAtomic } from "../util/atomic-file";

export async function cutoverValidate(
  ctx: CollectorContext,
  options: CutoverOptions & {
    snapshot?: string;
    sample?: number;
    seed?: string;
    ignoreRuns?: string[];
    report?: string;
  },
  session?: CutoverSession,
): Promise<StepResult<ValidateResult & { report: string }>> {
  const s = session ?? (await openSession(ctx, options));
  return runStep(ctx, s, "validate", async () => {
    const snapshot = options.snapshot ?? s.state.snapshot;
    if (!snapshot)
      throw new Error(
        "no snapshot to validate against: run collector cutover snapshot first, or pass --snapshot <file>",
      );
    const sample = options.sample ?? 50;
    const result = await validateCutover({
      snapshot,
      api: ctx.api,
      collector: s.state.collector,
      sample,
      seed: options.seed ?? "cutover",
      ignoreRuns: options.ignoreRuns ?? [],
      now: ctx.now,
    });
    const { log } = ctx;
    log.info(
      `validate ${snapshot} against ${ctx.config.XMONITOR_API_BASE_URL} (${DELTA_CONVENTION}: positive means rows on the server that the snapshot lacks)`,
    );
    for (const ignored of result.ignoredRuns) {
      log.info(
        `ignoring run ${ignored.runId}: ${ignored.onServer ? "on the server" : "not on the server"}, ${ignored.inSnapshot ? "in the snapshot" : "not in the snapshot"}${ignored.serverOnlyReports ? `, with ${ignored.serverOnlyReports} server-only report(s) citing it` : ""}`,
      );
    }
    for (const note of result.notes) log.info(`note: ${note}`);
    const width = Math.max(...result.counts.map((c) => c.sqlite.length)) + 2;
    log.info(`${"table".padEnd(width)}${"snapshot".padStart(10)}${"server".padStart(10)}${"delta".padStart(8)}`);
    for (const c of result.counts) {
      const delta = c.delta > 0 ? `+${c.delta}` : String(c.delta);
      log.info(
        `${c.sqlite.padEnd(width)}${String(c.snapshot).padStart(10)}${String(c.serverCount).padStart(10)}${delta.padStart(8)}${c.ignored ? `  (${c.ignored} ignored row${c.ignored > 1 ? "s" : ""})` : ""}`,
        { event: "count", ...c },
      );
    }
    for (const t of result.spotCheck.tables) {
      log.info(
        `spot check ${syncTables[t.table].sqlite}: ${t.checked} checked, ${t.missing} missing, ${t.mismatches} mismatches`,
        { event: "spot_check", ...t },
      );
      for (const m of t.differing.slice(0, 10))
        log.warn(
          `  ${t.table} ${m.key} differs via ${m.via}: ${m.fields.map((f) => `${f.field} (snapshot ${JSON.stringify(f.local)}, server ${JSON.stringify(f.server)})`).join(", ")}`,
        );
      if (t.missingKeys.length)
        log.warn(
          `  ${t.table} missing on the server: ${t.missingKeys.slice(0, 10).join(", ")}${t.missing > 10 ? " …" : ""}`,
        );
    }
    const report = unusedPath(options.report ?? validateReportPath(dataDirOf(ctx, options), cutoverStamp(ctx.now())));
    writeJsonAtomic(report, result);
    s.state.validateReport = path.resolve(report);
    s.save();
    const deltas = Object.fromEntries(result.counts.map((c) => [c.sqlite, c.delta]));
    const spot = Object.fromEntries(
      result.spotCheck.tables.map((t) => [
        t.table,
        { checked: t.checked, missing: t.missing, mismatches: t.mismatches, differing: t.differing.slice(0, 5) },
      ]),
    );
    const figures = {
      convention: DELTA_CONVENTION,
      deltas,
      ignoredRuns: result.ignoredRuns,
      spotCheck: { sample, tables: spot },
      report: path.resolve(report),
    };
    const differing = result.counts
      .filter((c) => c.delta !== 0)
      .map((c) => `${c.sqlite} ${c.delta > 0 ? "+" : ""}${c.delta}`);
    const spotBad = result.spotCheck.tables
      .filter((t) => t.missing || t.mismatches)
      .map((t) => `${syncTables[t.table].sqlite} ${t.missing} missing/${t.mismatches} mismatches`);
    if (!result.passed) {
      return {
        ok: false,
        message: `validate FAIL: ${[...differing, ...spotBad].join(", ")} (report ${report})`,
        figures,
        value: { ...result, report },
      };
    }
    log.info(`validate PASS: every delta 0, spot check clean (report ${report})`, { event: "validate_ok", report });
    return { ok: true, message: "every delta 0, spot check clean", figures, value: { ...result, report } };
  });
}
