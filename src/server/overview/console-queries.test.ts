// The console's read services over the demo seed: what the overview, the
// health timeline, the spot check and the reconcile page get.
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { exportFiguresSchema, importFiguresSchema, validateFiguresSchema } from "~/shared/schemas/cutover-figures";
import { createTestDatabase, type TestDatabase } from "../../../test/support/database";
import { seedDemoData } from "../seed/seed";
import { getHealthTimeline } from "../health/health-timeline";
import { getPostSpotCheck } from "../posts/post-spot-check";
import { listReconcileCollectors } from "../reconcile/reconcile-results";
import { getOverviewSummary, tableRowCounts } from "./summary";

const now = new Date("2026-11-28T12:00:00Z");
let t: TestDatabase;

beforeAll(async () => {
  t = await createTestDatabase();
  await seedDemoData(t.db, { seed: 3, days: 2, now: now.getTime() });
});
afterAll(async () => t?.drop());

describe("overview summary", () => {
  it("has one health card per collector and mode, with the failing one in alert", async () => {
    const summary = await getOverviewSummary(t.db, { alertThreshold: 2, now });
    const states = Object.fromEntries(summary.health.map((h) => [`${h.collector}/${h.mode}`, h.state]));
    expect(states).toMatchObject({
      "ops-laptop/priority": "healthy",
      "ops-laptop/discovery": "healthy",
      "ops-laptop/refresh-24h": "healthy",
      "ops-mac-mini/discovery": "alert",
      "ops-mac-mini/priority": "healthy",
    });
    // Backdated to the runs' times: the last success is the last run's batch, not the seeding instant.
    const laptop = summary.health.find((h) => h.collector === "ops-laptop" && h.mode === "priority")!;
    expect(now.getTime() - laptop.lastSuccessAt!.getTime()).toBeLessThan(31 * 60_000);
    expect(summary.recentRuns).toHaveLength(10);
  });

  it("buckets 24 hours of ingest volume and derives the alerts", async () => {
    const summary = await getOverviewSummary(t.db, { alertThreshold: 2, now });
    expect(summary.volume).toHaveLength(24);
    expect(summary.volume.reduce((n, b) => n + b.batches, 0)).toBeGreaterThan(24);
    expect(summary.alerts.map((a) => `${a.kind}:${a.collector}`).sort()).toEqual([
      "ingest-failures:ops-mac-mini",
      "reconcile-failed:ops-mac-mini",
    ]);
    expect(summary.reconcile.map((r) => [r.collector, r.passed])).toEqual([
      ["ops-laptop", true],
      ["ops-mac-mini", false],
    ]);
  });

  it("raises the alert threshold when configured higher", async () => {
    const summary = await getOverviewSummary(t.db, { alertThreshold: 3, now });
    expect(summary.health.find((h) => h.collector === "ops-mac-mini" && h.mode === "discovery")?.state).toBe(
      "degraded",
    );
    expect(summary.alerts.some((a) => a.kind === "ingest-failures")).toBe(false);
  });
});

describe("row counts", () => {
  it("counts exactly until a table is large by its statistics, then uses the estimate and says so", async () => {
    const exact = await tableRowCounts(t.db);
    expect(exact.approximate).toEqual([]);
    expect(exact.counts.posts).toBe(await t.db.post.count());
    await t.db.$executeRawUnsafe("analyze posts");
    const estimated = await tableRowCounts(t.db, { exactLimit: 10 });
    expect(estimated.approximate).toContain("posts");
    expect(Math.abs(estimated.counts.posts - exact.counts.posts)).toBeLessThanOrEqual(
      Math.ceil(exact.counts.posts * 0.05),
    );
  });
});

describe("health timeline", () => {
  it("has an hourly bucket per collector and mode, and the current alert episode", async () => {
    const timeline = await getHealthTimeline(t.db, { alertThreshold: 2, hours: 48, now });
    const laptop = timeline.rows.find((r) => r.collector === "ops-laptop" && r.mode === "priority")!;
    expect(laptop.buckets).toHaveLength(48);
    expect(laptop.totals.batches).toBeGreaterThan(40);
    // Two outages, both over: the latest is the (reset) episode, the earlier one is history.
    expect(laptop.episode).toMatchObject({
      consecutiveFailures: 0,
      thresholdReached: false,
      resetAt: expect.any(Date),
    });
    expect(laptop.pastEpisodes).toHaveLength(1);
    const past = laptop.pastEpisodes[0]!;
    expect(past).toMatchObject({ failures: 2, thresholdReached: true, lastError: expect.stringContaining("503") });
    expect(past.lastFailureAt.getTime() - past.startedAt.getTime()).toBe(15 * 60_000);
    expect(past.resetAt!.getTime()).toBeGreaterThan(past.lastFailureAt.getTime());
    expect(laptop.totals.failures).toBe(5);
    expect(laptop.buckets.filter((b) => b.ingestFailure).length).toBeGreaterThanOrEqual(2);
    const other = timeline.rows.find((r) => r.collector === "ops-laptop" && r.mode === "discovery")!;
    expect(other.pastEpisodes).toEqual([]);
    const failing = timeline.rows.find((r) => r.collector === "ops-mac-mini" && r.mode === "discovery")!;
    expect(failing.episode).toMatchObject({ consecutiveFailures: 2, thresholdReached: true, resetAt: null });
    // Its two failures, an hour apart, each mark their hour.
    expect(failing.buckets.filter((b) => b.ingestFailure)).toHaveLength(2);
    expect(failing.pastEpisodes).toEqual([]);
  });
});

describe("post spot check", () => {
  it("returns the post with the run and reports that cite it", async () => {
    const report = await t.db.report.findFirstOrThrow({ where: { NOT: { statusIds: { isEmpty: true } } } });
    const statusId = report.statusIds[0]!;
    const check = await getPostSpotCheck(t.db, { statusId });
    expect(check.post.status_id).toBe(statusId);
    expect(check.run?.runId).toBe(check.post.run_id);
    expect(check.reports.map((r) => r.reportId)).toContain(report.reportId);
    expect(check.embedding?.dims).toBe(64);
  });

  it("says NOT_FOUND for an unknown id", async () => {
    await expect(getPostSpotCheck(t.db, { statusId: "42" })).rejects.toMatchObject({ code: "NOT_FOUND" });
  });
});

describe("reconcile and cutover demo history", () => {
  it("lists collectors with results, and seeds a failed and a finished cutover", async () => {
    expect(await listReconcileCollectors(t.db)).toEqual(["ops-laptop", "ops-mac-mini"]);
    const cutovers = await t.db.cutoverRun.findMany({ orderBy: { startedAt: "asc" } });
    expect(cutovers.map((c) => c.status)).toEqual(["failed", "succeeded"]);
  });

  it("seeds cutover steps in the shape the collector records them", async () => {
    const [failed, finished] = await t.db.cutoverRun.findMany({ orderBy: { startedAt: "asc" } });
    const steps = (c: typeof failed) => (c!.steps as { step: string; pass?: number; figures: unknown }[]) ?? [];
    const shape = { export: exportFiguresSchema, import: importFiguresSchema, validate: validateFiguresSchema };
    for (const s of [...steps(failed), ...steps(finished)]) {
      const schema = shape[s.step as keyof typeof shape];
      if (schema) expect(schema.safeParse(s.figures).error, `${s.step} ${s.pass ?? ""}`).toBeUndefined();
    }
    const validates = steps(finished)
      .filter((s) => s.step === "validate")
      .map((s) => validateFiguresSchema.parse(s.figures));
    // The report's story: runs +1 (a synthetic run on the server), removed, then every delta 0.
    expect(validates.map((v) => v.deltas.runs)).toEqual([1, 0]);
    expect(validates.map((v) => path.basename(v.report).replace(/_\d{8}_\d{6}/, ""))).toEqual([
      "validate_cutover.json",
      "validate_cutover_post_cleanup.json",
    ]);
    const pass1 = importFiguresSchema.parse(steps(finished).find((s) => s.step === "import" && s.pass === 1)!.figures);
    expect(pass1.rejectReasons).toEqual({
      watch_accounts: { "permission denied for table watch_accounts": pass1.tables.watch_accounts!.rejected },
      embeddings: { "permission denied for table embeddings": pass1.tables.embeddings!.rejected },
    });
    expect(pass1.rejected).toBe(pass1.tables.watch_accounts!.rejected + pass1.tables.embeddings!.rejected);
    const failedValidate = validateFiguresSchema.parse(steps(failed).find((s) => s.step === "validate")!.figures);
    expect(failedValidate.deltas.tweets).toBe(-2);
    expect(failedValidate.spotCheck.tables.posts).toMatchObject({ missing: 2 });
  });
});
