// The one merge, two ways in: the same validated batch written through the
// JSON parameter and through COPY into a staging table must store the same
// rows, record the same provenance (collector_pushes, read from the JSON
// parameter or from the staging table) and give the same counts, for every
// table and for awkward text (binary-copy.test.ts holds each SQL type's
// encoding against PostgreSQL).
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDatabase, type TestDatabase } from "../../../test/support/database";
import { laterVersion, makePosts } from "../../../test/support/fixtures";
import { randomFromState } from "../../shared/random";
import { syncTableNames, syncTables } from "../../shared/schemas/tables";
import {
  buildEmbedding,
  buildNarrativeShift,
  buildReport,
  buildRun,
  buildWatchAccount,
  buildWindowSummary,
} from "../seed/builders";
import { sqlPool } from "../db";
import { writeIngestBatch } from "./ingest-transaction";
import { validateBatchItems } from "./validate-items";

let jsonDb: TestDatabase;
let copyDb: TestDatabase;
beforeAll(async () => {
  [jsonDb, copyDb] = await Promise.all([createTestDatabase(), createTestDatabase()]);
});
afterAll(async () => Promise.all([jsonDb?.drop(), copyDb?.drop()]));

const awkward = 'back\\slash\ttab\nnew line\r\nCRLF \\N "quoted" {braces,comma} é 🚀 \\\\t';

function batchOf(seed: number) {
  const r = randomFromState(seed);
  const at = Date.parse("2026-11-20T10:00:00Z");
  const posts = makePosts(30, { seed, firstId: 5_000n });
  posts[0] = { ...posts[0]!, body: awkward, raw_json: JSON.stringify({ text: awkward }), lang: null, score: 0.1 };
  posts[1] = { ...posts[1]!, url: null, like_count: null, view_count: 9_007_199_254_740_991, author_id: null };
  const runs = [
    buildRun({
      runId: "run-a",
      mode: "priority",
      runAt: at,
      durationMs: 5000,
      status: "success",
      fetched: 3,
      created: 1,
    }),
    buildRun({
      runId: "run-b",
      mode: "discovery",
      runAt: at,
      durationMs: 0,
      status: "failed",
      fetched: 0,
      created: 0,
      error: awkward,
    }),
  ];
  const reports = [buildReport(r, { runId: "run-a", mode: "priority", at, posts })];
  reports.push({ ...reports[0]!, report_id: "report-empty", status_ids: [], title: awkward });
  const windows = [buildWindowSummary({ mode: "priority", start: at, hours: 1, posts })];
  const shifts = [buildNarrativeShift(r, { windowId: windows[0]!.window_id, at, posts })];
  const accounts = [
    buildWatchAccount(r, "fedwatcher", "priority", at),
    { ...buildWatchAccount(r, "quiet_one", "discovery", at), note: awkward },
  ];
  const embeddings = posts.slice(0, 5).map((p) => buildEmbedding(r, p, 16));
  return {
    posts,
    pipelineRuns: runs,
    reports,
    windowSummaries: windows,
    narrativeShifts: shifts,
    watchAccounts: accounts,
    embeddings,
  };
}

async function write(t: TestDatabase, key: string, batch: ReturnType<typeof batchOf>, copyMinRows: number) {
  const envelope = { idempotencyKey: key, collector: "merge-box", mode: "priority" as const, runId: key, since: null };
  const validated = validateBatchItems(batch, "admin", {
    collector: "merge-box",
    clock: { now: Date.parse("2026-12-01T00:00:00Z"), maxFutureSkewMs: 300_000 },
  });
  expect(validated.rejects).toEqual([]);
  const result = await writeIngestBatch(
    sqlPool(t.db),
    { batch: envelope, requestHash: key, apiKeyId: null, storedRejectsLimit: 10, copyMinRows },
    validated,
  );
  return result.tables;
}

async function stored(t: TestDatabase) {
  const out: Record<string, unknown[]> = {};
  for (const table of syncTableNames) {
    const { server, key } = syncTables[table];
    const { rows } = await sqlPool(t.db).query<Record<string, unknown>>(`select * from "${server}" order by "${key}"`);
    out[table] = rows.map(({ ingested_at: _i, updated_at: _u, ...rest }) => rest);
  }
  const { rows: pushes } = await sqlPool(t.db).query(
    `select collector, table_name, key, since_at, source_updated_at, first_run_id, last_run_id
       from collector_pushes order by table_name, key`,
  );
  out.collectorPushes = pushes;
  return out;
}

describe("the merge through COPY staging", () => {
  it("stores what the JSON parameter stores, with the same counts, first and on a later pass", async () => {
    const first = batchOf(7);
    expect(await write(copyDb, "m-1", first, 1)).toEqual(await write(jsonDb, "m-1", first, Infinity));
    const copied = await stored(copyDb);
    expect(copied).toEqual(await stored(jsonDb));
    expect((copied.posts as { body: string }[]).some((p) => p.body === awkward)).toBe(true);
    expect((copied.watchAccounts as { note: string | null }[]).some((a) => a.note === awkward)).toBe(true);
    expect(copied.embeddings).toHaveLength(5);
    expect(copied.collectorPushes).toHaveLength(35);

    // Later versions of two posts, a stale version of a third, the rest unchanged.
    const second = batchOf(7);
    second.posts[2] = laterVersion(second.posts[2]!, 60_000, { like_count: 424_242, body: `${awkward}!` });
    second.posts[3] = laterVersion(second.posts[3]!, 60_000, { score: null });
    second.posts[4] = laterVersion(second.posts[4]!, -60_000, { like_count: 1 });
    const copyCounts = await write(copyDb, "m-2", second, 1);
    expect(copyCounts).toEqual(await write(jsonDb, "m-2", second, Infinity));
    expect(copyCounts.posts).toEqual({ inserted: 0, updated: 2, unchanged: 28, rejected: 0, anomalies: 0 });
    const again = await stored(copyDb);
    expect(again).toEqual(await stored(jsonDb));
    // The stale version moved neither the post nor what this collector pushed of it; the later ones did.
    const pushOf = (key: string) =>
      (
        again.collectorPushes as { table_name: string; key: string; source_updated_at: Date; last_run_id: string }[]
      ).find((p) => p.table_name === "posts" && p.key === key)!;
    expect(pushOf(second.posts[2].status_id).source_updated_at.toISOString()).toBe(second.posts[2].updated_at);
    expect(pushOf(second.posts[4].status_id).source_updated_at.toISOString()).toBe(first.posts[4]!.updated_at);
    expect(pushOf(second.posts[4].status_id).last_run_id).toBe("m-2");
  });
});
