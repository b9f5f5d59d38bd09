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
        Object.fromEntries(
          Object.entries(row).map(([k, v]) => [
            k,
            typeof v === "string" && /^\d{4}-\d{2}-\d{2}T/.test(v) ? new Date(v).toISOString() : v,
          ]),
        );
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
});
