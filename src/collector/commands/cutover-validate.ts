// `collector cutover validate`: count deltas (server − snapshot) and a
// seeded spot check, printed table by table and kept as a JSON report.
import path from "node:path";
import type { ValidateFigures } from "~/shared/schemas/cutover-figures";
import { syncTables } from "~/shared/schemas/tables";
import type { CollectorContext } from "../context";
import { removeRunCommand } from "../cutover/extra-keys";
import { checkRecentPosts, type RecentPost } from "../cutover/recent-posts";
import { unusedPath, validateReportPath } from "../cutover/paths";
import { stampOf, type CutoverSession } from "../cutover/session";
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
    /** Name the report validate_cutover_post_cleanup_<stamp>.json (default: when a removal was noted in this cutover). */
    postCleanup?: boolean;
    /** The most recent posts of the snapshot matched on author and body through GET /api/v1/posts/{statusId} (default 5). */
    recent?: number;
  },
  session?: CutoverSession,
): Promise<StepResult<ValidateResult & { report: string; recentPosts: RecentPost[] }>> {
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
    for (const extra of result.extraOnServer) {
      const listed = extra.runs?.length
        ? extra.runs.map((r) => `${r.runId} (mode ${r.mode}, run_at ${r.runAt.replace(/\.000Z$/, "Z")})`)
        : extra.keys;
      log.warn(
        `extra on the server: ${extra.sqlite} ${extra.count} row${extra.count > 1 ? "s" : ""} not in the snapshot: ${listed.join(", ")}${extra.count > listed.length ? " …" : ""}`,
        { event: "extra_on_server", ...extra },
      );
      if (extra.table === "pipelineRuns")
        for (const runId of extra.keys) log.warn(`  to remove it (admin key): ${removeRunCommand(runId)}`);
      else
        log.warn(
          `  ${extra.sqlite} rows are not removed by a command: check where they came from (/posts, /runs in the console) before the cutover goes on`,
        );
    }
    for (const t of result.spotCheck.tables) {
      log.info(
        `spot check ${syncTables[t.table].sqlite}: ${t.checked} checked, ${t.missing} missing, ${t.mismatches} mismatches${t.newerOnServer ? `, ${t.newerOnServer} newer on the server (another collector pushed them since)` : ""}`,
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
    const recentPosts = await checkRecentPosts({ snapshot, api: ctx.api, count: options.recent ?? 5 });
    for (const p of recentPosts)
      log.info(
        `recent post ${p.statusId} @${p.author}: ${p.found ? `author ${p.authorMatches ? "match" : "DIFFERS"}, body ${p.bodyMatches ? "match" : "DIFFERS"}` : "MISSING on the server"}`,
        { event: "recent_post", ...p },
      );
    const recentBad = recentPosts.filter((p) => !p.found || !p.authorMatches || !p.bodyMatches);
    log.info(
      `recent posts: ${recentPosts.length - recentBad.length} of the ${recentPosts.length} most recent status ids match on author and body via GET /api/v1/posts/{statusId}`,
    );
    const postCleanup = options.postCleanup ?? (s.state.cleanups?.length ?? 0) > 0;
    const report = unusedPath(
      options.report ?? validateReportPath(dataDirOf(ctx, options), stampOf(s.state), postCleanup),
    );
    writeJsonAtomic(report, { ...result, recentPosts, passed: result.passed && recentBad.length === 0 });
    s.state.validateReport = path.resolve(report);
    s.state.validateReports = [...(s.state.validateReports ?? []), path.resolve(report)];
    s.save();
    const deltas = Object.fromEntries(result.counts.map((c) => [c.sqlite, c.delta]));
    const spot = Object.fromEntries(
      result.spotCheck.tables.map((t) => [
        t.table,
        {
          checked: t.checked,
          missing: t.missing,
          mismatches: t.mismatches,
          newerOnServer: t.newerOnServer,
          differing: t.differing.slice(0, 5),
        },
      ]),
    );
    const figures: ValidateFigures = {
      convention: DELTA_CONVENTION,
      deltas,
      counts: Object.fromEntries(
        result.counts.map((c) => [c.sqlite, { snapshot: c.snapshot, server: c.serverCount, delta: c.delta }]),
      ),
      ignoredRuns: result.ignoredRuns,
      extraOnServer: result.extraOnServer.map(({ sqlite, count, keys }) => ({ table: sqlite, count, keys })),
      postCleanup,
      recentPosts: { checked: recentPosts.length, matching: recentPosts.length - recentBad.length },
      spotCheck: { sample, tables: spot },
      report: path.resolve(report),
    };
    const differing = result.counts
      .filter((c) => c.delta !== 0)
      .map((c) => `${c.sqlite} ${c.delta > 0 ? "+" : ""}${c.delta}`);
    const spotBad = result.spotCheck.tables
      .filter((t) => t.missing || t.mismatches)
      .map((t) => `${syncTables[t.table].sqlite} ${t.missing} missing/${t.mismatches} mismatches`);
    if (recentBad.length) spotBad.push(`recent posts ${recentBad.length} not matching`);
    if (!result.passed || recentBad.length) {
      return {
        ok: false,
        message: `validate FAIL: ${[...differing, ...spotBad].join(", ")} (report ${report})`,
        figures,
        value: { ...result, report, recentPosts },
      };
    }
    log.info(`validate PASS: every delta 0, spot check clean (report ${report})`, { event: "validate_ok", report });
    return { ok: true, message: "every delta 0, spot check clean", figures, value: { ...result, report, recentPosts } };
  });
}
