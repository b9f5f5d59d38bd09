import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { syncTableNames, syncTables } from "~/shared/schemas/tables";
import { createTestDatabase, type TestDatabase } from "../../../test/support/database";
import { callerFor, makePosts, principalFor } from "../../../test/support/fixtures";
import {
  buildEmbedding,
  buildNarrativeShift,
  buildReport,
  buildRun,
  buildWatchAccount,
  buildWindowSummary,
} from "../seed/builders";
import { randomFromState } from "../../shared/random";
import { MAX_STEP_ENTRIES } from "./cutover-runs";
import { normaliseStoredValue } from "../../../test/support/server-compare";

let t: TestDatabase;
beforeAll(async () => {
  t = await createTestDatabase();
});
afterAll(async () => t?.drop());

describe("cutover.rowsByKeys", () => {
  it("returns every table's stored rows exactly as they were sent", async () => {
    const r = randomFromState(3);
    const at = Date.parse("2026-11-10T08:00:00Z");
    const posts = makePosts(2, { seed: 4, firstId: 900n, at });
    const runId = r.uuid();
    const summary = buildWindowSummary({ mode: "priority", start: at, hours: 6, posts });
    const batch = {
      posts,
      reports: [buildReport(r, { runId, mode: "priority", at, posts })],
      pipelineRuns: [
        buildRun({
          runId,
          mode: "priority",
          runAt: at,
          durationMs: 5000,
          status: "success" as const,
          fetched: 2,
          created: 2,
        }),
      ],
      watchAccounts: [buildWatchAccount(r, "fedwatcher", "priority", at)],
      embeddings: posts.map((p) => buildEmbedding(r, p, 16)),
      windowSummaries: [summary],
      narrativeShifts: [buildNarrativeShift(r, { windowId: summary.window_id, at, posts })],
    };
    const admin = await principalFor(t.db, "admin");
    const api = callerFor(t.db, admin);
    await api.ingest.push({ idempotencyKey: "rows-1", collector: "box", mode: "priority", ...batch });
    for (const table of syncTableNames) {
      const sent = (batch[table] as Record<string, unknown>[]).map(
        (item) => syncTables[table].schema.parse(item) as Record<string, unknown>,
      );
      const keys = sent.map((item) => String(item[syncTables[table].key]));
      const stored = await api.cutover.rowsByKeys({ table, keys });
      const normalise = (row: Record<string, unknown>) =>
        Object.fromEntries(Object.entries(row).map(([k, v]) => [k, normaliseStoredValue(v)]));
      expect({ table, rows: stored.map(normalise) }).toEqual({
        table,
        rows: sent
          .map(normalise)
          .sort((a, b) => String(a[syncTables[table].key]).localeCompare(String(b[syncTables[table].key]))),
      });
    }
  });

  it("records a cutover's steps, replacing a step by name and pass", async () => {
    const api = callerFor(t.db, await principalFor(t.db, "ingest"));
    const { id } = await api.cutover.start({
      label: "mac",
      collector: "mac",
      operator: "ana",
      startedAt: "2026-11-28T10:00:00Z",
    });
    const step = { step: "import" as const, pass: 1, status: "running" as const, startedAt: "2026-11-28T10:01:00Z" };
    await api.cutover.recordStep({ cutoverId: id, step });
    await api.cutover.recordStep({
      cutoverId: id,
      step: { ...step, status: "succeeded", figures: { posts: { updated: 707 } } },
      artifacts: { rejectLogs: ["a.ndjson"] },
    });
    await api.cutover.recordStep({
      cutoverId: id,
      step: { ...step, pass: 2, status: "succeeded" },
      status: "succeeded",
    });
    // The console reads the record (a reader key); the ingest key only writes it.
    const reader = callerFor(t.db, await principalFor(t.db, "reader"));
    const run = await reader.cutover.byId({ id });
    expect(run.status).toBe("succeeded");
    expect(run.finishedAt).not.toBeNull();
    expect(run.steps).toEqual([
      expect.objectContaining({ step: "import", pass: 1, status: "succeeded", figures: { posts: { updated: 707 } } }),
      expect.objectContaining({ step: "import", pass: 2, status: "succeeded" }),
    ]);
    expect(run.artifacts).toEqual({ rejectLogs: ["a.ndjson"] });
    await api.cutover.recordStep({
      cutoverId: id,
      step: { step: "validate", status: "running", startedAt: "2026-11-28T11:00:00Z" },
      status: "running",
    });
    expect((await reader.cutover.byId({ id })).finishedAt).toBeNull();
  });

  it("keeps every validate report, in order, each replaced only by its own run's later record", async () => {
    const api = callerFor(t.db, await principalFor(t.db, "ingest"));
    const { id } = await api.cutover.start({
      label: "twice",
      collector: "mac",
      operator: "ana",
      startedAt: "2026-11-28T10:00:00Z",
    });
    const first = { step: "validate" as const, status: "running" as const, startedAt: "2026-11-28T10:05:00Z" };
    const second = { ...first, startedAt: "2026-11-28T10:30:00Z" };
    await api.cutover.recordStep({ cutoverId: id, step: first });
    await api.cutover.recordStep({
      cutoverId: id,
      step: { ...first, status: "failed", figures: { deltas: { runs: 1 } } },
    });
    await api.cutover.recordStep({
      cutoverId: id,
      step: { step: "restore", status: "succeeded", startedAt: "2026-11-28T10:10:00Z" },
    });
    await api.cutover.recordStep({ cutoverId: id, step: second });
    await api.cutover.recordStep({
      cutoverId: id,
      step: { ...second, status: "succeeded", figures: { deltas: { runs: 0 } } },
    });
    const run = await callerFor(t.db, await principalFor(t.db, "reader")).cutover.byId({ id });
    expect(run.steps).toEqual([
      expect.objectContaining({
        step: "validate",
        status: "failed",
        startedAt: first.startedAt,
        figures: { deltas: { runs: 1 } },
      }),
      expect.objectContaining({ step: "restore", status: "succeeded" }),
      expect.objectContaining({
        step: "validate",
        status: "succeeded",
        startedAt: second.startedAt,
        figures: { deltas: { runs: 0 } },
      }),
    ]);
  });

  it("refuses a step report past the record's bound, naming what to do", async () => {
    const api = callerFor(t.db, await principalFor(t.db, "ingest"));
    const { id } = await api.cutover.start({
      label: "full",
      collector: "mac",
      operator: "ana",
      startedAt: "2026-11-28T10:00:00Z",
    });
    const steps = Array.from({ length: MAX_STEP_ENTRIES }, (_, i) => ({
      step: "validate",
      status: "succeeded",
      startedAt: new Date(Date.parse("2026-11-28T10:00:00Z") + i * 1000).toISOString(),
      figures: {},
    }));
    await t.db.cutoverRun.update({ where: { id }, data: { steps } });
    const late = { step: "validate" as const, status: "running" as const, startedAt: "2026-11-29T00:00:00Z" };
    await expect(api.cutover.recordStep({ cutoverId: id, step: late })).rejects.toMatchObject({
      code: "CONFLICT",
      message: expect.stringContaining("start a new cutover"),
    });
    // The last stored run may still finish: it replaces its own entry.
    const last = steps.at(-1)!;
    await expect(
      api.cutover.recordStep({
        cutoverId: id,
        step: { step: "validate", status: "failed", startedAt: last.startedAt },
      }),
    ).resolves.toMatchObject({ id });
  });
});
