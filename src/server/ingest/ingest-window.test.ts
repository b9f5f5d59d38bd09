// The ingest window a batch carries (since, lookback, retry budget): stored
// with the batch and shown on the run page in the collector's own wording;
// a malformed window refuses the whole batch before anything is written.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDatabase, type TestDatabase } from "../../../test/support/database";
import { callerFor, makePosts, principalFor } from "../../../test/support/fixtures";
import { describeIngestWindow } from "../../shared/ingest-window";
import { MAX_LOOKBACK_SECONDS } from "../../shared/schemas/ingest";
import { buildRun } from "../seed/builders";

let t: TestDatabase;
beforeAll(async () => {
  t = await createTestDatabase();
});
afterAll(async () => t?.drop());

const at = Date.parse("2026-11-20T10:00:00Z");
const runBatch = (runId: string, key: string, extra: Record<string, unknown>) => ({
  idempotencyKey: key,
  collector: "window-box",
  mode: "priority",
  runId,
  since: new Date(at - 900_000).toISOString(),
  pipelineRuns: [
    buildRun({ runId, mode: "priority", runAt: at, durationMs: 1000, status: "success", fetched: 1, created: 1 }),
  ],
  posts: makePosts(1, { seed: runId.length, firstId: BigInt(1000 + runId.length), at }),
  ...extra,
});

describe("the ingest window of a batch", () => {
  it("is stored with the batch and reads like the collector's ingest line", async () => {
    const api = callerFor(t.db, await principalFor(t.db, "ingest"));
    await api.ingest.push(runBatch("run-window-1", "window-1", { lookbackSeconds: 900, maxAttempts: 4 }));
    const reader = callerFor(t.db, await principalFor(t.db, "reader"));
    const { batches } = await reader.runs.byId({ runId: "run-window-1" });
    expect(batches).toHaveLength(1);
    const b = batches[0]!;
    expect({ since: b.since?.toISOString(), lookbackSeconds: b.lookbackSeconds, maxAttempts: b.maxAttempts }).toEqual({
      since: "2026-11-20T09:45:00.000Z",
      lookbackSeconds: 900,
      maxAttempts: 4,
    });
    expect(
      describeIngestWindow({
        mode: b.mode,
        since: b.since?.toISOString() ?? null,
        lookbackSeconds: b.lookbackSeconds,
        maxAttempts: b.maxAttempts,
      }),
    ).toBe("mode=priority since=2026-11-20T09:45:00.000Z lookback=900s attempts≤4");
  });

  it("is unknown, not invented, for a batch that did not send it", async () => {
    const api = callerFor(t.db, await principalFor(t.db, "ingest"));
    await api.ingest.push(runBatch("run-window-22", "window-2", {}));
    const { batches } = await callerFor(t.db, await principalFor(t.db, "reader")).runs.byId({ runId: "run-window-22" });
    expect(batches[0]).toMatchObject({ lookbackSeconds: null, maxAttempts: null });
    expect(describeIngestWindow({ mode: "priority", since: null, lookbackSeconds: null, maxAttempts: null })).toBe(
      "mode=priority since=the beginning lookback=unknown attempts=unknown",
    );
  });

  it.each([
    ["a negative lookback", { lookbackSeconds: -900 }],
    ["a lookback that is not a number", { lookbackSeconds: "abc" }],
    ["a fractional lookback", { lookbackSeconds: 1.5 }],
    ["a lookback past the bound", { lookbackSeconds: MAX_LOOKBACK_SECONDS + 1 }],
    ["zero attempts", { maxAttempts: 0 }],
    ["attempts past the bound", { maxAttempts: 1001 }],
  ])("refuses %s: the whole batch, nothing written", async (_name, extra) => {
    const api = callerFor(t.db, await principalFor(t.db, "ingest"));
    const key = `window-bad-${JSON.stringify(extra)}`;
    await expect(api.ingest.push(runBatch("run-window-bad", key, extra))).rejects.toMatchObject({
      code: "BAD_REQUEST",
    });
    expect(await t.db.ingestBatch.count({ where: { idempotencyKey: key } })).toBe(0);
    expect(await t.db.pipelineRun.count({ where: { runId: "run-window-bad" } })).toBe(0);
  });
});
