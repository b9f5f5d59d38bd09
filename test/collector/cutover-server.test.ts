// The cutover end to end against the real app (production build) over a
// real PostgreSQL, on a legacy file with the counts operators reported:
// 707 tweets, 441 reports, 44 watch_accounts, 460 runs, 705 embeddings.
// The server is preloaded with an older version of part of it; the first
// pass uses an ingest key (crashing mid-way and resuming), the second an
// admin key; validate catches a synthetic server-side run and passes once
// it is ignored. (Where the cutover stops early: cutover-stops.test.ts.)
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { syncTableNames } from "~/shared/schemas/tables";
import type { TestDatabase } from "../support/database";
import type { AppServer } from "../support/app-server";
import { cutoverAll, cutoverImport, cutoverRestore, cutoverValidate } from "../../src/collector/commands/cutover";
import { createTrpcCalls, type ServerCalls } from "../../src/collector/uplink/server-calls";
import { isFrozen } from "../../src/collector/scheduler/freeze";
import { legacyStatusId } from "../support/legacy-fixture";
import { CHECKPOINT_FILE, stampOfSnapshot, type ExportManifest } from "../../src/collector/cutover/paths";
import type { CutoverState } from "../../src/collector/cutover/session";
import { sampleIndexes } from "../../src/collector/cutover/validate";
import { LEGACY_COUNTS as COUNTS, preloadServer, startCutoverWorld, type CutoverWorld } from "../support/cutover-world";

const SYNTHETIC_RUN = "99999999-0000-4000-8000-000000000001";

let world: CutoverWorld;
let t: TestDatabase;
let app: AppServer;
let dir: string;
let adminKey: string;

beforeAll(async () => {
  world = await startCutoverWorld();
  ({ t, app, dir, adminKey } = world);
  await preloadOlderVersion(createTrpcCalls({ baseUrl: app.baseUrl, apiKey: adminKey }));
}, 600_000);

afterAll(async () => {
  await world?.stop();
});

const context = (overrides?: Record<string, string>) => world.context(overrides);
const cutoverBatches = () => world.cutoverBatches();

/** The server already holds part of the data, in an older version, and a run someone created by hand. */
async function preloadOlderVersion(api: ServerCalls) {
  await preloadServer(world, api, {
    run_id: SYNTHETIC_RUN,
    mode: "manual",
    run_at: "2026-11-20T12:00:00Z",
    status: "success",
    updated_at: "2026-11-20T12:00:00Z",
  });
}

const state = () => JSON.parse(readFileSync(path.join(dir, "cutover.state.json"), "utf8")) as CutoverState;

describe("cutover against the real server", () => {
  let checkpointAfterBatch20 = "";

  it("pass 1 with an ingest key: interrupted mid-import by `all`, then a crash loses the checkpoint's last batches", async () => {
    const { ctx, log } = context();
    const controller = new AbortController();
    const checkpointFile = () => path.join(state().exportDir!, CHECKPOINT_FILE);
    let pushes = 0;
    const real = ctx.api;
    ctx.api = {
      ...real,
      pushBulk: async (chunk) => {
        pushes++;
        // Chunks of 100, one table at a time: 8 posts, 5 reports, 5 runs, 1 watch_accounts, then embeddings.
        if (pushes === 21) checkpointAfterBatch20 = readFileSync(checkpointFile(), "utf8");
        const result = await real.pushBulk(chunk);
        if (pushes === 22) controller.abort();
        return result;
      },
    };
    const result = await cutoverAll(ctx, {
      label: "legacy-box",
      timeoutSeconds: 5,
      signal: controller.signal,
      batchSize: 100,
      tablesInParallel: 1,
    });
    expect(result.stoppedAt, log.lines.join("\n")).toBe("import");
    expect(result.exitCode).toBe(130);
    expect(result.message).toMatch(
      /^interrupted: the chunks in flight were finished and recorded in .*export_cutover_\d{8}_\d{6}; resume with "collector cutover import", then "collector cutover validate" and "collector cutover restore"$/,
    );
    expect(log.lines.at(-1)).toBe(result.message);
    expect(log.lines).toContainEqual(
      expect.stringMatching(/^snapshot ok: integrity_check ok on .*x_monitor\.cutover\.\d{8}_\d{6}\.db$/),
    );
    expect(isFrozen(ctx.config.XMONITOR_FREEZE_FILE)).toBeDefined();
    // Export and import in one pass: the export is not finished, so it has no manifest yet.
    expect(existsSync(path.join(state().exportDir!, "manifest.json"))).toBe(false);
    expect(log.lines.some((l) => l.startsWith("export ok"))).toBe(false);
    // The crash: batches 21 and 22 reached the server, but the checkpoint on disk predates them.
    expect(JSON.parse(checkpointAfterBatch20).passes[0].tables.embeddings.line).toBe(100);
    writeFileSync(checkpointFile(), checkpointAfterBatch20);
    ctx.store.close();
  });

  it("pass 1 resumes from the checkpoint: posts/reports/runs updated, 749 rejects, each logged once", async () => {
    const { ctx, log } = context();
    const result = await cutoverImport(ctx, {});
    const v = result.value!;
    expect(v.resumed, log.lines.join("\n")).toBe(true);
    expect(v.pass).toBe(1);
    expect(v.replayedBatches).toBe(2);
    expect(v.tables.posts).toMatchObject({ inserted: 0, updated: 707, unchanged: 0, rejected: 0 });
    expect(v.tables.reports).toMatchObject({ inserted: 0, updated: 441, unchanged: 0, rejected: 0 });
    expect(v.tables.pipelineRuns).toMatchObject({ inserted: 0, updated: 460, unchanged: 0, rejected: 0 });
    expect(v.tables.watchAccounts).toMatchObject({ inserted: 0, updated: 0, rejected: 44 });
    expect(v.tables.embeddings).toMatchObject({ inserted: 0, updated: 0, rejected: 705 });
    expect(v.tables.windowSummaries).toMatchObject({ inserted: 12 });
    expect(v.tables.narrativeShifts).toMatchObject({ inserted: 9 });
    expect(v.rejected).toBe(749);
    expect(result.exitCode).toBe(1);
    expect(log.lines).toContain("import posts: inserted=0 updated=707 unchanged=0 rejected=0");
    expect(log.lines).toContain("import watch_accounts: inserted=0 updated=0 unchanged=0 rejected=44");
    expect(log.lines).toContain("import embeddings: inserted=0 updated=0 unchanged=0 rejected=705");
    const reasons = log.lines.indexOf("  watch_accounts: 44 × permission denied for table watch_accounts");
    expect(log.lines[reasons + 1]).toBe("  embeddings: 705 × permission denied for table embeddings");
    // The export finishes with the pass that writes it: its manifest last.
    expect(log.lines.at(-1)).toBe(
      `export ok: tweets=707 reports=441 runs=460 watch_accounts=44 tweet_embeddings=705 window_summaries=12 narrative_shifts=9 in ${state().exportDir}`,
    );
    const manifest = JSON.parse(readFileSync(path.join(state().exportDir!, "manifest.json"), "utf8")) as ExportManifest;
    expect(manifest.files.map((f) => [f.file, f.rows, f.sha256.length])).toEqual([
      ["tweets.jsonl", 707, 64],
      ["reports.jsonl", 441, 64],
      ["runs.jsonl", 460, 64],
      ["watch_accounts.jsonl", 44, 64],
      ["tweet_embeddings.jsonl", 705, 64],
      ["window_summaries.jsonl", 12, 64],
      ["narrative_shifts.jsonl", 9, 64],
    ]);
    // Named by the cutover's stamp, the same as its snapshot's.
    expect(path.basename(v.rejectLog!)).toBe(`import_rejects_cutover_${stampOfSnapshot(state().snapshot!)}.ndjson`);
    const rejects = readFileSync(v.rejectLog!, "utf8")
      .trimEnd()
      .split("\n")
      .map((l) => JSON.parse(l) as { table: string; key: string; reason: string; row: Record<string, unknown> });
    expect(rejects).toHaveLength(749);
    expect(new Set(rejects.map((r) => `${r.table}:${r.key}`)).size).toBe(749);
    expect(
      rejects
        .filter((r) => r.table === "watch_accounts")
        .every((r) => r.reason === "permission denied for table watch_accounts"),
    ).toBe(true);
    expect(
      rejects
        .filter((r) => r.table === "tweet_embeddings")
        .every((r) => r.reason === "permission denied for table embeddings" && typeof r.row.vector === "string"),
    ).toBe(true);
    expect(rejects.filter((r) => r.table === "tweet_embeddings")).toHaveLength(705);
    ctx.store.close();
  });

  it("a dry run with the admin key counts what pass 2 would do and writes nothing", async () => {
    const before = await cutoverBatches();
    const { ctx, log } = context({ XMONITOR_API_KEY: adminKey });
    const result = await cutoverImport(ctx, { dryRun: true });
    const v = result.value!;
    expect(result.exitCode, log.lines.join("\n")).toBe(0);
    expect(v.dryRun).toBe(true);
    expect(v.tables.watchAccounts).toMatchObject({ inserted: 1, updated: 43, unchanged: 0, rejected: 0 });
    expect(v.tables.embeddings).toMatchObject({ inserted: 129, updated: 576, unchanged: 0, rejected: 0 });
    expect(v.tables.posts).toMatchObject({ inserted: 0, updated: 0, unchanged: 707 });
    expect(log.lines).toContain(
      "import watch_accounts: would be inserted=1 would be updated=43 unchanged=0 would be rejected=0",
    );
    expect(await cutoverBatches()).toBe(before);
    ctx.store.close();
  });

  it("pass 2 with an admin key lands what pass 1 could not: 0 rejects", async () => {
    const { ctx, log } = context({ XMONITOR_API_KEY: adminKey });
    const result = await cutoverImport(ctx, {});
    const v = result.value!;
    expect(result.exitCode, log.lines.join("\n")).toBe(0);
    expect(v.pass).toBe(2);
    expect(v.resumed).toBe(false);
    expect(v.rejected).toBe(0);
    expect(v.tables.watchAccounts).toMatchObject({ inserted: 1, updated: 43, unchanged: 0, rejected: 0 });
    expect(v.tables.embeddings).toMatchObject({ inserted: 129, updated: 576, unchanged: 0, rejected: 0 });
    expect(v.tables.posts).toMatchObject({ inserted: 0, updated: 0, unchanged: 707, rejected: 0, anomalies: 0 });
    expect(v.tables.reports).toMatchObject({ inserted: 0, updated: 0, unchanged: 441, rejected: 0 });
    expect(v.tables.pipelineRuns).toMatchObject({ inserted: 0, updated: 0, unchanged: 460, rejected: 0 });
    expect(readFileSync(v.rejectLog!, "utf8")).toBe("");
    expect(log.lines.at(-1)).toBe("import pass 2 rejects by table and reason: none");
    expect(path.basename(v.rejectLog!)).toBe(
      `import_rejects_cutover_admin_${stampOfSnapshot(state().snapshot!)}.ndjson`,
    );
    expect(log.lines).toContainEqual(expect.stringMatching(/^import pass 2 with key \S+ \(role admin\)/));
    ctx.store.close();
  });

  it("validate reports the synthetic run as runs +1 and exits non-zero", async () => {
    const { ctx, log } = context();
    const result = await cutoverValidate(ctx, {});
    expect(result.exitCode).toBe(1);
    const v = result.value!;
    expect(Object.fromEntries(v.counts.map((c) => [c.sqlite, c.delta]))).toEqual({
      tweets: 0,
      reports: 0,
      runs: 1,
      watch_accounts: 0,
      tweet_embeddings: 0,
      window_summaries: 0,
      narrative_shifts: 0,
    });
    expect(log.lines).toContainEqual(
      expect.stringMatching(
        /\(delta = server − snapshot: positive means rows on the server that the snapshot lacks\)$/,
      ),
    );
    expect(log.lines).toContainEqual(expect.stringMatching(/^runs\s+460\s+461\s+\+1$/));
    expect(log.lines).toContainEqual(
      expect.stringMatching(
        /^cutover validate failed: validate FAIL: runs \+1 \(report .*validate_cutover_\d{8}_\d{6}\.json\)$/,
      ),
    );
    expect(JSON.parse(readFileSync(v.report, "utf8"))).toMatchObject({
      convention: "delta = server − snapshot",
      passed: false,
    });
    // The extra run is named, with the command that removes it.
    expect(v.extraOnServer).toEqual([
      {
        table: "pipelineRuns",
        sqlite: "runs",
        count: 1,
        keys: [SYNTHETIC_RUN],
        runs: [{ runId: SYNTHETIC_RUN, mode: "manual", runAt: expect.stringMatching(/^2026-11-20T12:00:00/) }],
      },
    ]);
    expect(log.lines).toContain(
      `extra on the server: runs 1 row not in the snapshot: ${SYNTHETIC_RUN} (mode manual, run_at 2026-11-20T12:00:00Z)`,
    );
    expect(log.lines).toContain(
      `  to remove it (admin key): collector --api-key-file <admin key file> runs remove ${SYNTHETIC_RUN} --reason "not in the cutover snapshot" --yes`,
    );
    ctx.store.close();
  });

  it("validate --ignore-run: every delta 0, spot check 50 checked, 0 missing, 0 mismatches", async () => {
    // A server-only report citing the synthetic run is one of its dependants: ignored with it.
    const admin = createTrpcCalls({ baseUrl: app.baseUrl, apiKey: adminKey });
    const report = {
      report_id: "synthetic-report-1",
      run_id: SYNTHETIC_RUN,
      kind: "alert",
      title: "by hand",
      body_md: "x",
      status_ids: [],
      created_at: "2026-11-20T12:00:00Z",
      updated_at: "2026-11-20T12:00:00Z",
    };
    expect(
      (
        await admin.push({
          idempotencyKey: "synthetic-report",
          collector: "legacy-box",
          mode: "manual",
          reports: [report],
        })
      ).tables.reports.inserted,
    ).toBe(1);
    const { ctx, log } = context();
    const result = await cutoverValidate(ctx, { ignoreRuns: [SYNTHETIC_RUN] });
    expect(result.exitCode, log.lines.join("\n")).toBe(0);
    const v = result.value!;
    expect(v.counts.every((c) => c.delta === 0)).toBe(true);
    expect(v.ignoredRuns).toEqual([{ runId: SYNTHETIC_RUN, inSnapshot: false, onServer: true, serverOnlyReports: 1 }]);
    expect(log.lines).toContainEqual(expect.stringMatching(/^runs\s+460\s+460\s+0 {2}\(1 ignored row\)$/));
    expect(log.lines).toContainEqual(expect.stringMatching(/^reports\s+441\s+441\s+0 {2}\(1 ignored row\)$/));
    const posts = v.spotCheck.tables.find((x) => x.table === "posts")!;
    expect(posts).toMatchObject({ checked: 50, missing: 0, mismatches: 0 });
    expect(log.lines).toContain("spot check tweets: 50 checked, 0 missing, 0 mismatches");
    for (const table of v.spotCheck.tables)
      expect(table, table.table).toMatchObject({
        checked: Math.min(
          50,
          COUNTS[
            (
              {
                posts: "tweets",
                reports: "reports",
                pipelineRuns: "runs",
                watchAccounts: "watchAccounts",
                embeddings: "embeddings",
                windowSummaries: "summaries",
                narrativeShifts: "shifts",
              } as const
            )[table.table]
          ],
        ),
        missing: 0,
        mismatches: 0,
      });
    expect(existsSync(v.report)).toBe(true);
    ctx.store.close();
  });

  it("spot check names the differing field when the server's copy changed", async () => {
    const { ctx } = context();
    // A post the seeded sample picks (status ids share one length, so key order is index order).
    const victim = await t.db.post.findUniqueOrThrow({
      where: { statusId: legacyStatusId(sampleIndexes(707, 50, "cutover:posts")[0]!) },
    });
    await t.db.post.update({ where: { statusId: victim.statusId }, data: { body: "edited on the server" } });
    const result = await cutoverValidate(ctx, { ignoreRuns: [SYNTHETIC_RUN] });
    const posts = result.value!.spotCheck.tables.find((x) => x.table === "posts")!;
    expect(result.exitCode).toBe(1);
    expect(posts).toMatchObject({ checked: 50, missing: 0, mismatches: 1 });
    expect(posts.differing.map((d) => [d.key, d.via, d.fields.map((f) => f.field)])).toEqual([
      [victim.statusId, "trpc", ["body"]],
      [victim.statusId, "rest", ["body"]],
    ]);
    await t.db.post.update({ where: { statusId: victim.statusId }, data: { body: victim.body } });
    ctx.store.close();
  });

  it("restore clears the freeze flag, runs a canary per mode, and the record holds every step", async () => {
    const { ctx, log } = context();
    const result = await cutoverRestore(ctx, { canary: true });
    expect(result.exitCode, log.lines.join("\n")).toBe(0);
    expect(isFrozen(ctx.config.XMONITOR_FREEZE_FILE)).toBeUndefined();
    expect(log.lines).toContain("restore canary mode=priority: api ingest ok");
    expect(log.lines).toContain("restore canary mode=discovery: api ingest ok");
    const state = JSON.parse(readFileSync(path.join(dir, "cutover.state.json"), "utf8")) as {
      cutoverId: string;
      finished: boolean;
    };
    expect(state.finished).toBe(true);
    const record = await t.db.cutoverRun.findUniqueOrThrow({ where: { id: state.cutoverId } });
    expect(record.status).toBe("succeeded");
    const steps = record.steps as { step: string; pass?: number; status: string; figures: Record<string, unknown> }[];
    const pick = (step: string, pass?: number) => steps.find((s) => s.step === step && s.pass === pass);
    expect(pick("snapshot")).toMatchObject({ status: "succeeded", figures: { integrityCheck: "ok" } });
    expect(pick("export")).toMatchObject({
      status: "succeeded",
      figures: { tables: { tweets: { rows: 707 }, tweet_embeddings: { rows: 705 } } },
    });
    expect(pick("import", 1)).toMatchObject({
      status: "succeeded",
      figures: { role: "ingest", rejected: 749, tables: { posts: { updated: 707 } } },
    });
    expect(pick("import", 2)).toMatchObject({
      status: "succeeded",
      figures: { role: "admin", rejected: 0, tables: { embeddings: { inserted: 129, updated: 576 } } },
    });
    expect(steps.filter((s) => s.step === "validate").map((s) => s.status)).toEqual(["failed", "succeeded", "failed"]);
    expect(pick("restore")).toMatchObject({
      status: "succeeded",
      figures: { canary: { priority: "api ingest ok", discovery: "api ingest ok" } },
    });
    const artifacts = record.artifacts as {
      snapshot: string;
      exportDir: string;
      rejectLogs: string[];
      validateReport: string;
      validateReports: string[];
    };
    expect(artifacts.rejectLogs).toHaveLength(2);
    expect([artifacts.validateReports.length, artifacts.validateReports.at(-1)]).toEqual([3, artifacts.validateReport]);
    expect(
      existsSync(artifacts.snapshot) && existsSync(artifacts.exportDir) && existsSync(artifacts.validateReport),
    ).toBe(true);
    ctx.store.close();
  });

  it("re-running a finished pass is a new pass that changes nothing", async () => {
    const { ctx } = context({ XMONITOR_API_KEY: adminKey });
    const exportDir = state().exportDir!;
    const result = await cutoverImport(ctx, { exportDir, label: "legacy-box-again" });
    const v = result.value!;
    expect(v.pass).toBe(3);
    expect(syncTableNames.map((tname) => [tname, v.tables[tname].inserted + v.tables[tname].updated])).toEqual(
      syncTableNames.map((tname) => [tname, 0]),
    );
    expect(v.tables.posts.unchanged).toBe(707);
    ctx.store.close();
  });
});
