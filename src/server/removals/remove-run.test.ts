import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDatabase, type TestDatabase } from "../../../test/support/database";
import { callerFor, makePosts, principalFor } from "../../../test/support/fixtures";
import { randomFromState } from "../../shared/random";
import { buildReport } from "../seed/builders";

let t: TestDatabase;
beforeAll(async () => {
  t = await createTestDatabase();
});
afterAll(async () => t?.drop());

const at = "2026-02-26T00:00:00.000Z";

async function pushRun(runId: string, mode: string, options: { withReport?: boolean } = {}) {
  const ingest = callerFor(t.db, await principalFor(t.db, "ingest"));
  const posts = makePosts(2, { seed: runId.length, firstId: BigInt(9_000_000 + runId.length * 10) }).map((p) => ({
    ...p,
    run_id: runId,
  }));
  const reports = options.withReport
    ? [buildReport(randomFromState(3), { runId, mode, at: Date.parse(at), posts })]
    : [];
  await ingest.ingest.push({
    idempotencyKey: `removal-${runId}`,
    runId,
    collector: "smoke-box",
    mode,
    posts,
    reports,
    pipelineRuns: [{ run_id: runId, mode, run_at: at, status: "success", updated_at: at }],
  });
}

describe("removing a run by hand", () => {
  it("previews what goes and what stays, removes it with its reports, and records who, when, what and why", async () => {
    await pushRun("smoke-manual-1", "manual", { withReport: true });
    const admin = await principalFor(t.db, "admin");
    const api = callerFor(t.db, admin);

    const preview = await api.runs.removalPreview({ runId: "smoke-manual-1" });
    expect(preview).toMatchObject({ runId: "smoke-manual-1", mode: "manual", reports: 1, batches: 1, posts: 2 });

    const removed = await api.runs.remove({ runId: "smoke-manual-1", reason: "ingest auth smoke test row" });
    expect(removed).toMatchObject({ runId: "smoke-manual-1", removedReports: 1 });

    expect(await t.db.pipelineRun.count({ where: { runId: "smoke-manual-1" } })).toBe(0);
    expect(await t.db.report.count({ where: { runId: "smoke-manual-1" } })).toBe(0);
    // Posts and the ingest batch that carried the run stay.
    expect(await t.db.post.count({ where: { runId: "smoke-manual-1" } })).toBe(2);
    expect(await t.db.ingestBatch.count({ where: { runId: "smoke-manual-1" } })).toBe(1);

    const audit = await t.db.removal.findUniqueOrThrow({ where: { id: removed.removalId } });
    expect(audit).toMatchObject({
      kind: "run",
      key: "smoke-manual-1",
      collector: "smoke-box",
      reason: "ingest auth smoke test row",
      removedBy: `${admin.name} (${admin.keyPrefix})`,
      removedByKeyId: admin.apiKeyId,
    });
    const rows = audit.removedRows as { run: { runId: string; mode: string }; reports: { kind: string }[] };
    expect(rows.run).toMatchObject({ runId: "smoke-manual-1", mode: "manual" });
    expect(rows.reports).toHaveLength(1);

    const list = await api.runs.removals({});
    expect(list[0]).toMatchObject({ key: "smoke-manual-1", reason: "ingest auth smoke test row" });
  });

  it("says so when the run is not there, and records nothing", async () => {
    const api = callerFor(t.db, await principalFor(t.db, "admin"));
    const before = await t.db.removal.count();
    await expect(api.runs.remove({ runId: "never-stored", reason: "typo" })).rejects.toMatchObject({
      code: "NOT_FOUND",
      message: expect.stringContaining("No run never-stored"),
    });
    expect(await t.db.removal.count()).toBe(before);
  });

  it("records one removal when two admins remove the same run at once", async () => {
    await pushRun("smoke-manual-2", "manual");
    const a = callerFor(t.db, await principalFor(t.db, "admin"));
    const b = callerFor(t.db, await principalFor(t.db, "admin"));
    const outcomes = await Promise.allSettled([
      a.runs.remove({ runId: "smoke-manual-2", reason: "first admin" }),
      b.runs.remove({ runId: "smoke-manual-2", reason: "second admin" }),
    ]);
    expect(outcomes.filter((o) => o.status === "fulfilled")).toHaveLength(1);
    expect(await t.db.removal.count({ where: { key: "smoke-manual-2" } })).toBe(1);
  });

  it("refuses reader and ingest keys, and a removal without a reason", async () => {
    await pushRun("smoke-manual-3", "manual");
    for (const role of ["reader", "ingest"] as const) {
      const api = callerFor(t.db, await principalFor(t.db, role));
      await expect(api.runs.remove({ runId: "smoke-manual-3", reason: "not mine to remove" })).rejects.toMatchObject({
        code: "FORBIDDEN",
      });
    }
    const admin = callerFor(t.db, await principalFor(t.db, "admin"));
    await expect(admin.runs.remove({ runId: "smoke-manual-3", reason: " " })).rejects.toMatchObject({
      code: "BAD_REQUEST",
    });
    expect(await t.db.pipelineRun.count({ where: { runId: "smoke-manual-3" } })).toBe(1);
  });
});
