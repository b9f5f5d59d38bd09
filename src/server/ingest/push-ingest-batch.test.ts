import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { flattenError, ZodError } from "zod";
import { createTestDatabase, type TestDatabase } from "../../../test/support/database";
import { callerFor, laterVersion, makePosts, principalFor } from "../../../test/support/fixtures";
import type { Principal } from "../auth/principal";
import { collectorModes } from "../../shared/schemas/primitives";
import type { ReportFailureInput } from "../../shared/schemas/ingest";
import { pushIngestBatch } from "./push-ingest-batch";
import { itemTimeFields } from "./validate-items";
import { buildEmbedding, buildWatchAccount } from "../seed/builders";
import { randomFromState } from "../../shared/random";

let t: TestDatabase;
let admin: Principal;
let ingest: Principal;

beforeAll(async () => {
  t = await createTestDatabase();
  admin = await principalFor(t.db, "admin");
  ingest = await principalFor(t.db, "ingest");
});
afterAll(async () => t?.drop());

const batch = (key: string, body: Record<string, unknown>) => ({
  idempotencyKey: key,
  collector: "test-box",
  mode: "priority",
  ...body,
});

describe("ingest.push counts", () => {
  it("inserts, then replays, then reports unchanged, then updated", async () => {
    const api = callerFor(t.db, ingest);
    const posts = makePosts(5, { seed: 11, firstId: 100n });
    const first = await api.ingest.push(batch("counts-1", { posts }));
    expect(first.replayed).toBe(false);
    expect(first.tables.posts).toEqual({ inserted: 5, updated: 0, unchanged: 0, rejected: 0, anomalies: 0 });
    expect(first.status).toBe("succeeded");

    const replay = await api.ingest.push(batch("counts-1", { posts }));
    expect(replay).toEqual({ ...first, replayed: true });

    const before = await t.db.post.findUniqueOrThrow({ where: { statusId: posts[0]!.status_id } });
    const again = await api.ingest.push(batch("counts-2", { posts }));
    expect(again.tables.posts).toEqual({ inserted: 0, updated: 0, unchanged: 5, rejected: 0, anomalies: 0 });
    const untouched = await t.db.post.findUniqueOrThrow({ where: { statusId: posts[0]!.status_id } });
    expect(untouched.updatedAt).toEqual(before.updatedAt);

    const changed = [laterVersion(posts[0]!, 60_000, { like_count: 999_999 }), ...posts.slice(1)];
    const third = await api.ingest.push(batch("counts-3", { posts: changed }));
    expect(third.tables.posts).toEqual({ inserted: 0, updated: 1, unchanged: 4, rejected: 0, anomalies: 0 });
    const updated = await t.db.post.findUniqueOrThrow({ where: { statusId: posts[0]!.status_id } });
    expect(updated.likeCount).toBe(999_999);
    expect(updated.updatedAt.getTime()).toBeGreaterThan(before.updatedAt.getTime());
    expect(updated.ingestedAt).toEqual(before.ingestedAt);
  });

  it("never lets an older version overwrite a newer one", async () => {
    const api = callerFor(t.db, ingest);
    const [post] = makePosts(1, { seed: 12, firstId: 200n });
    const newer = laterVersion(post!, 120_000, { like_count: 50 });
    await api.ingest.push(batch("order-new", { posts: [newer] }));
    const stale = await api.ingest.push(batch("order-old", { posts: [{ ...post!, like_count: 1 }] }));
    expect(stale.tables.posts).toEqual({ inserted: 0, updated: 0, unchanged: 1, rejected: 0, anomalies: 0 });
    const row = await t.db.post.findUniqueOrThrow({ where: { statusId: post!.status_id } });
    expect(row.likeCount).toBe(50);
  });

  it("records the batch and resets the collector's health", async () => {
    const api = callerFor(t.db, ingest);
    await api.ingest.reportFailure({ collector: "health-box", mode: "discovery", error: "timeout", attempts: 4 });
    await api.ingest.reportFailure({ collector: "health-box", mode: "discovery", error: "timeout", attempts: 4 });
    let health = await t.db.collectorHealth.findUniqueOrThrow({
      where: { collector_mode: { collector: "health-box", mode: "discovery" } },
    });
    expect(health.consecutiveFailures).toBe(2);
    const result = await api.ingest.push({
      idempotencyKey: "health-1",
      collector: "health-box",
      mode: "discovery",
      posts: makePosts(2, { seed: 13, firstId: 300n }),
    });
    health = await t.db.collectorHealth.findUniqueOrThrow({
      where: { collector_mode: { collector: "health-box", mode: "discovery" } },
    });
    expect(health.consecutiveFailures).toBe(0);
    expect(health.lastSuccessAt).not.toBeNull();
    const stored = await t.db.ingestBatch.findUniqueOrThrow({ where: { id: result.batchId } });
    expect(stored).toMatchObject({
      collector: "health-box",
      mode: "discovery",
      status: "succeeded",
      insertedCount: 2,
      apiKeyId: ingest.apiKeyId,
    });
    // The batch's span is real time: finished when its transaction's work was done, not when it began.
    expect(stored.finishedAt!.getTime()).toBeGreaterThanOrEqual(stored.receivedAt.getTime());
    expect(await t.db.ingestFailure.count({ where: { collector: "health-box", mode: "discovery" } })).toBe(2);
  });
});

describe("ingest.push rejects", () => {
  it("rejects invalid items one by one, commits the rest and stores the rejects", async () => {
    const api = callerFor(t.db, ingest);
    const posts = makePosts(3, { seed: 21, firstId: 400n });
    const bad = [
      { ...posts[1]!, status_id: "12ab" },
      { ...posts[2]!, body: "nul\u0000byte" },
      { ...posts[0]!, status_id: "401", like_count: 2 ** 31 },
      "not an object",
    ];
    const result = await api.ingest.push(batch("rejects-1", { posts: [posts[0]!, ...bad] }));
    expect(result.status).toBe("partial");
    expect(result.tables.posts).toEqual({ inserted: 1, updated: 0, unchanged: 0, rejected: 4, anomalies: 0 });
    expect(result.rejects.map((r) => [r.index, r.key, r.reason])).toEqual([
      [1, "12ab", expect.stringContaining("status_id: must be an X status id")],
      [2, posts[2]!.status_id, expect.stringContaining("must not contain NUL bytes")],
      [3, "401", expect.stringContaining("like_count: must fit PostgreSQL's integer")],
      [4, null, expect.stringContaining("invalid posts item")],
    ]);
    const stored = await t.db.ingestReject.findMany({ where: { batchId: result.batchId }, orderBy: { id: "asc" } });
    expect(stored).toHaveLength(4);
    expect(stored[1]!.rawItem).toMatchObject({ body: "nul\\u0000byte" });
    expect(await t.db.post.count({ where: { statusId: { in: ["12ab", "401", posts[2]!.status_id] } } })).toBe(0);
  });

  it("keeps the newest of duplicate keys in one batch and rejects the other", async () => {
    const api = callerFor(t.db, ingest);
    const [post] = makePosts(1, { seed: 22, firstId: 500n });
    const newer = laterVersion(post!, 1000, { like_count: 77 });
    const result = await api.ingest.push(batch("dup-1", { posts: [newer, post!] }));
    expect(result.tables.posts).toEqual({ inserted: 1, updated: 0, unchanged: 0, rejected: 1, anomalies: 0 });
    expect(result.rejects[0]).toMatchObject({ index: 1, reason: expect.stringContaining("duplicate status_id") });
    expect((await t.db.post.findUniqueOrThrow({ where: { statusId: post!.status_id } })).likeCount).toBe(77);
  });

  it("denies the ingest role watch_accounts and embeddings, like a least-privilege role", async () => {
    const r = randomFromState(5);
    const posts = makePosts(1, { seed: 23, firstId: 600n });
    const body = batch("perm-1", {
      posts,
      watchAccounts: [buildWatchAccount(r, "newsource", "priority", Date.parse("2026-11-01T00:00:00Z"))],
      embeddings: [buildEmbedding(r, posts[0]!, 8)],
    });
    const asIngest = await callerFor(t.db, ingest).ingest.push(body);
    expect(asIngest.tables.posts.inserted).toBe(1);
    expect(asIngest.rejects.map((x) => x.reason)).toEqual([
      "permission denied for table watch_accounts",
      "permission denied for table embeddings",
    ]);
    const asAdmin = await callerFor(t.db, admin).ingest.push({ ...body, idempotencyKey: "perm-2" });
    expect(asAdmin.tables).toMatchObject({
      watchAccounts: { inserted: 1, rejected: 0 },
      embeddings: { inserted: 1, rejected: 0 },
      posts: { unchanged: 1 },
    });
    const stored = await t.db.embedding.findUniqueOrThrow({ where: { statusId: posts[0]!.status_id } });
    expect(stored.vector).toHaveLength(8);
  });
});

describe("ingest.push and times ahead of the server clock", () => {
  const ahead = (ms: number) => new Date(Date.now() + ms).toISOString();

  it("rejects each item with a time past the allowed skew, names the field, and commits the rest", async () => {
    const api = callerFor(t.db, ingest);
    const posts = makePosts(5, { seed: 24, firstId: 650n, at: Date.now() - 3_600_000 });
    const items = [
      posts[0]!, // an hour old: fine
      { ...posts[1]!, updated_at: ahead(2 * 60_000) }, // within the 5 min of skew: fine
      { ...posts[2]!, updated_at: "2099-12-31T23:59:59Z" }, // would pin the row until 2099
      { ...posts[3]!, collected_at: ahead(10 * 60_000), updated_at: ahead(60_000) }, // any time of the row counts
      { ...posts[4]!, created_at: ahead(86_400_000 * 3) },
    ];
    const runAt = ahead(-60_000);
    const runs = [
      { run_id: "clock-ok", mode: "priority", run_at: runAt, status: "success", updated_at: runAt },
      {
        run_id: "clock-bad",
        mode: "priority",
        run_at: runAt,
        finished_at: ahead(86_400_000),
        status: "success",
        updated_at: runAt,
      },
    ];
    const result = await api.ingest.push(batch("clock-1", { posts: items, pipelineRuns: runs }));
    expect(result.status).toBe("partial");
    expect(result.tables.posts).toEqual({ inserted: 2, updated: 0, unchanged: 0, rejected: 3, anomalies: 0 });
    expect(result.tables.pipelineRuns).toEqual({ inserted: 1, updated: 0, unchanged: 0, rejected: 1, anomalies: 0 });
    expect(result.rejects.map((r) => [r.table, r.index, r.reason])).toEqual([
      [
        "posts",
        2,
        expect.stringMatching(
          /^updated_at 2099-12-31T23:59:59Z is \d+ days ahead of the server clock \(at most 300 s allowed\): check the clock/,
        ),
      ],
      ["posts", 3, expect.stringMatching(/^collected_at \S+ is (10|11) min ahead of the server clock/)],
      ["posts", 4, expect.stringMatching(/^created_at \S+ is (72\.0 h|3 days) ahead/)],
      ["pipelineRuns", 1, expect.stringMatching(/^finished_at \S+ is 24\.0 h ahead/)],
    ]);
    const stored = await t.db.post.findMany({ where: { statusId: { in: posts.map((p) => p.status_id) } } });
    expect(stored.map((p) => p.statusId).sort()).toEqual([posts[0]!.status_id, posts[1]!.status_id].sort());
    expect(await t.db.ingestReject.count({ where: { batchId: result.batchId } })).toBe(4);
    expect(await t.db.pipelineRun.count({ where: { runId: "clock-bad" } })).toBe(0);
  });

  it("takes the allowed skew from its option (INGEST_MAX_FUTURE_SKEW_SECONDS in the app)", async () => {
    const [post] = makePosts(1, { seed: 25, firstId: 660n, at: Date.now() - 60_000 });
    const slightlyAhead = { ...post!, updated_at: ahead(30_000) };
    const strict = await pushIngestBatch(t.db, {
      principal: ingest,
      input: batch("clock-strict", { posts: [slightlyAhead] }),
      maxFutureSkewMs: 10_000,
    });
    expect(strict.rejects.map((r) => r.reason)).toEqual([expect.stringContaining("(at most 10 s allowed)")]);
    const lenient = await pushIngestBatch(t.db, {
      principal: ingest,
      input: batch("clock-lenient", { posts: [slightlyAhead] }),
      maxFutureSkewMs: 120_000,
    });
    expect(lenient.tables.posts.inserted).toBe(1);
  });

  it("finds the time fields of every table from the catalog", () => {
    expect(itemTimeFields).toEqual({
      posts: ["created_at", "collected_at", "updated_at"],
      reports: ["created_at", "updated_at"],
      pipelineRuns: ["run_at", "finished_at", "updated_at"],
      watchAccounts: ["added_at", "updated_at"],
      embeddings: ["created_at", "updated_at"],
      windowSummaries: ["created_at", "updated_at"],
      narrativeShifts: ["detected_at", "created_at", "updated_at"],
    });
  });
});

describe("ingest.push whole-batch errors", () => {
  it("stores a null or scalar item as a reject with its raw value, next to the valid rows", async () => {
    const api = callerFor(t.db, ingest);
    const [post] = makePosts(1, { seed: 33, firstId: 800n });
    const result = await api.ingest.push(batch("null-items", { posts: [null, post, 42] }));
    expect(result.tables.posts).toEqual({ inserted: 1, updated: 0, unchanged: 0, rejected: 2, anomalies: 0 });
    const stored = await t.db.ingestReject.findMany({ where: { batchId: result.batchId }, orderBy: { id: "asc" } });
    expect(stored.map((r) => r.rawItem)).toEqual([null, 42]);
  });

  it("refuses a reused idempotency key with another body (409) and writes nothing", async () => {
    const api = callerFor(t.db, ingest);
    const posts = makePosts(2, { seed: 31, firstId: 700n });
    await api.ingest.push(batch("conflict-1", { posts: posts.slice(0, 1) }));
    await expect(api.ingest.push(batch("conflict-1", { posts }))).rejects.toMatchObject({
      code: "CONFLICT",
      message: expect.stringContaining("already used with a different body"),
    });
    expect(await t.db.post.count({ where: { statusId: posts[1]!.status_id } })).toBe(0);
  });

  it("refuses a malformed batch with a clear 400 and writes nothing", async () => {
    const api = callerFor(t.db, ingest);
    const batches = await t.db.ingestBatch.count();
    await expect(api.ingest.push("nope")).rejects.toMatchObject({
      code: "BAD_REQUEST",
      message: expect.stringContaining("Malformed ingest batch"),
    });
    await expect(api.ingest.push(batch("bad-version", { version: 2 }))).rejects.toMatchObject({
      code: "BAD_REQUEST",
      message: expect.stringContaining("unknown protocol version"),
    });
    await expect(api.ingest.push(batch("bad-posts", { posts: { a: 1 } }))).rejects.toMatchObject({
      code: "BAD_REQUEST",
      message: expect.stringContaining("posts"),
    });
    expect(await t.db.ingestBatch.count()).toBe(batches);
  });

  it("accepts only the known modes, in batches and failure reports (400 naming the field)", async () => {
    const api = callerFor(t.db, ingest);
    const batches = await t.db.ingestBatch.count();
    const health = await t.db.collectorHealth.count();
    for (const mode of ["fake-mode", "Priority", "priority ", ""]) {
      await expect(api.ingest.push(batch(`mode-${mode}`, { mode }))).rejects.toMatchObject({
        code: "BAD_REQUEST",
        message: expect.stringContaining(
          "mode: must be one of priority, discovery, refresh-24h, manual, catch-up, cutover",
        ),
      });
      // A hostile client is not bound by the input type.
      const unknownMode = { collector: "test-box", mode, error: "boom", attempts: 1 } as unknown as ReportFailureInput;
      const report = api.ingest.reportFailure(unknownMode);
      await expect(report).rejects.toMatchObject({ code: "BAD_REQUEST" });
      const error = (await report.catch((e: unknown) => e)) as { cause: unknown };
      expect(error.cause).toBeInstanceOf(ZodError);
      expect(flattenError(error.cause as ZodError).fieldErrors).toEqual({
        mode: ["must be one of priority, discovery, refresh-24h, manual, catch-up, cutover"],
      });
    }
    expect(await t.db.ingestBatch.count()).toBe(batches);
    expect(await t.db.collectorHealth.count()).toBe(health);
    for (const mode of collectorModes) {
      const result = await api.ingest.push(batch(`mode-ok-${mode}`, { mode }));
      expect(result.status).toBe("succeeded");
    }
  });
});

describe("ingest.push under concurrency", () => {
  it("gives the newest version of each row whatever the order, with no deadlock", async () => {
    const base = makePosts(400, { seed: 41, firstId: 10_000n });
    const a = base.map((p, i) => (i % 2 === 0 ? laterVersion(p, 5000, { like_count: 1000 + i }) : p));
    const b = base.map((p, i) => (i % 2 === 1 ? laterVersion(p, 5000, { like_count: 2000 + i }) : p)).reverse();
    const api1 = callerFor(t.db, ingest);
    const api2 = callerFor(t.db, admin);
    const rounds = await Promise.all([
      api1.ingest.push(batch("conc-a", { posts: a })),
      api2.ingest.push({ ...batch("conc-b", { posts: b }), collector: "other-box" }),
      api1.ingest.push(batch("conc-a", { posts: a })),
    ]);
    const [ra, rb] = rounds;
    expect(ra.tables.posts.inserted + rb.tables.posts.inserted).toBe(400);
    expect(rounds[2].replayed || rounds[0].replayed).toBe(true);
    const rows = await t.db.post.findMany({
      where: { statusId: { in: base.map((p) => p.status_id) } },
      orderBy: { statusId: "asc" },
    });
    expect(rows).toHaveLength(400);
    rows.forEach((row, i) => expect(row.likeCount).toBe(i % 2 === 0 ? 1000 + i : 2000 + i));
  });
});
