// The bulk path (POST /api/v1/ingest/bulk) through its route handler over a
// real database: one table's chunk as NDJSON is one ingest batch, with
// ingest.push's counts, forward-only merge, rejects with reasons, role rules,
// bound keys, replay by chunk key, and bounded size.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { POST as bulkRoute } from "../src/app/api/v1/ingest/bulk/route";
import { installDb, sqlPool } from "../src/server/db";
import { bulkChunkQuery, type BulkChunkEnvelope } from "../src/shared/schemas/bulk";
import { MAX_ITEMS_PER_TABLE, type IngestResult } from "../src/shared/schemas/ingest";
import { buildWatchAccount } from "../src/server/seed/builders";
import { randomFromState } from "../src/shared/random";
import { createTestDatabase, type TestDatabase } from "./support/database";
import { callerFor, laterVersion, makePosts, principalFor } from "./support/fixtures";
import type { Principal } from "../src/server/auth/principal";

let t: TestDatabase;
const keys = {} as Record<"admin" | "ingest" | "reader" | "bound", Principal & { key: string }>;

beforeAll(async () => {
  t = await createTestDatabase();
  installDb(t.db);
  for (const role of ["admin", "ingest", "reader"] as const) keys[role] = await principalFor(t.db, role);
  keys.bound = await principalFor(t.db, "ingest", { collector: "other-box" });
});
afterAll(async () => t?.drop());

const ndjson = (items: unknown[]) => items.map((i) => `${JSON.stringify(i)}\n`).join("");

async function chunk(envelope: Partial<BulkChunkEnvelope>, body: string, key: string | undefined) {
  const query = bulkChunkQuery({
    table: "posts",
    collector: "bulk-box",
    mode: "priority",
    idempotencyKey: "k",
    ...envelope,
  });
  const response = await bulkRoute(
    new Request(`http://localhost:3000/api/v1/ingest/bulk?${query}`, {
      method: "POST",
      body,
      headers: { "content-type": "application/x-ndjson", ...(key ? { authorization: `Bearer ${key}` } : {}) },
    }),
    { params: Promise.resolve({}) },
  );
  return {
    status: response.status,
    json: (await response.json()) as IngestResult & { error: { code: string; message: string } },
  };
}

const posts = makePosts(40, { seed: 5, firstId: 1_700_000_000_000_000_000n });

describe("POST /api/v1/ingest/bulk", () => {
  it("merges a chunk like ingest.push: inserted, then replayed, then unchanged, updated and stale", async () => {
    const first = await chunk({ idempotencyKey: "bulk-1" }, ndjson(posts), keys.ingest.key);
    expect(first.status).toBe(200);
    expect(first.json).toMatchObject({ replayed: false, status: "succeeded" });
    expect(first.json.tables.posts).toEqual({ inserted: 40, updated: 0, unchanged: 0, rejected: 0, anomalies: 0 });

    const replay = await chunk({ idempotencyKey: "bulk-1" }, ndjson(posts), keys.ingest.key);
    expect(replay.json).toEqual({ ...first.json, replayed: true });
    const { count } = (
      await sqlPool(t.db).query(`select count(*)::int as count from ingest_batches where idempotency_key = 'bulk-1'`)
    ).rows[0] as { count: number };
    expect(count).toBe(1);

    const changed = [...posts];
    changed[0] = laterVersion(posts[0]!, 60_000, { like_count: 77_777 });
    changed[1] = laterVersion(posts[1]!, -60_000, { like_count: 1 });
    const second = await chunk({ idempotencyKey: "bulk-2" }, ndjson(changed), keys.ingest.key);
    expect(second.json.tables.posts).toEqual({ inserted: 0, updated: 1, unchanged: 39, rejected: 0, anomalies: 0 });
    const stored = await t.db.post.findMany({
      where: { statusId: { in: [posts[0]!.status_id, posts[1]!.status_id] } },
      orderBy: { statusId: "asc" },
    });
    expect(stored.map((p) => p.likeCount)).toEqual([77_777, posts[1]!.like_count]);

    // Pushed the same rows as one ingest.push batch: the same answer.
    const viaPush = await callerFor(t.db, keys.ingest).ingest.push({
      idempotencyKey: "push-2",
      collector: "bulk-box",
      mode: "priority",
      posts: changed,
    });
    expect(viaPush.tables.posts).toEqual({ inserted: 0, updated: 0, unchanged: 40, rejected: 0, anomalies: 0 });
  });

  it("refuses a chunk key reused with other bytes, and says what to do", async () => {
    const again = await chunk({ idempotencyKey: "bulk-1" }, ndjson(posts.slice(1)), keys.ingest.key);
    expect(again.status).toBe(409);
    expect(again.json.error.message).toContain("send changed data under a new key");
  });

  it("rejects bad lines with reasons and writes the rest", async () => {
    const bad = { ...posts[2]!, status_id: "not-digits" };
    const body = `${JSON.stringify(posts[3])}\n{"status_id": "17000000000000000\n${JSON.stringify(bad)}\n${JSON.stringify({ ...posts[4]!, body: "a\u0000b" })}\n`;
    const answer = await chunk({ idempotencyKey: "bulk-bad" }, body, keys.admin.key);
    expect(answer.status).toBe(200);
    expect(answer.json.status).toBe("partial");
    expect(answer.json.tables.posts).toMatchObject({ unchanged: 1, rejected: 3 });
    const reasons = (answer.json.rejects as { index: number; reason: string }[]).map((r) => [r.index, r.reason]);
    expect(reasons[0]).toEqual([1, expect.stringContaining("line 2 of the chunk is not JSON")]);
    expect(reasons[1]).toEqual([2, expect.stringContaining("must be an X status id")]);
    expect(reasons[2]).toEqual([3, expect.stringContaining("NUL")]);
    const replay = await chunk({ idempotencyKey: "bulk-bad" }, body, keys.admin.key);
    expect(replay.json).toEqual({ ...answer.json, replayed: true });
    const stored = await sqlPool(t.db).query(
      `select count(*)::int as n from ingest_rejects r join ingest_batches b on b.id = r.batch_id where b.idempotency_key = 'bulk-bad'`,
    );
    expect(stored.rows[0]).toEqual({ n: 3 });
  });

  it("keeps the ingest role out of watch_accounts, readers out entirely, and a bound key to its collector", async () => {
    const r = randomFromState(3);
    const accounts = [buildWatchAccount(r, "bulkwatch", "priority", Date.parse("2026-11-20T00:00:00Z"))];
    const denied = await chunk(
      { table: "watchAccounts", idempotencyKey: "bulk-wa" },
      ndjson(accounts),
      keys.ingest.key,
    );
    expect(denied.json.tables.watchAccounts).toEqual({
      inserted: 0,
      updated: 0,
      unchanged: 0,
      rejected: 1,
      anomalies: 0,
    });
    expect(denied.json.rejects[0]!.reason).toBe("permission denied for table watch_accounts");
    const allowed = await chunk(
      { table: "watchAccounts", idempotencyKey: "bulk-wa-admin" },
      ndjson(accounts),
      keys.admin.key,
    );
    expect(allowed.json.tables.watchAccounts).toMatchObject({ inserted: 1 });

    expect((await chunk({ idempotencyKey: "bulk-reader" }, ndjson(posts), keys.reader.key)).status).toBe(403);
    expect((await chunk({ idempotencyKey: "bulk-anon" }, ndjson(posts), undefined)).status).toBe(401);
    const bound = await chunk({ idempotencyKey: "bulk-bound" }, ndjson(posts), keys.bound.key);
    expect(bound.status).toBe(403);
  });

  it("refuses a malformed envelope, too many lines, and a chunk sent through tRPC", async () => {
    const noTable = await chunk({ table: "nope" as never, idempotencyKey: "bulk-x" }, ndjson(posts), keys.ingest.key);
    expect(noTable.status).toBe(400);
    expect(noTable.json.error.message).toContain("Malformed bulk chunk");
    const many = await chunk({ idempotencyKey: "bulk-many" }, "{}\n".repeat(MAX_ITEMS_PER_TABLE + 1), keys.ingest.key);
    expect(many.status).toBe(413);
    await expect(callerFor(t.db, keys.ingest).ingest.bulk({ table: "posts" })).rejects.toThrow(/application\/x-ndjson/);
  });
});
