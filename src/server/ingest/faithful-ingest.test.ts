// Faithful to the contract (decisions/014): values the contract allows are
// stored as they are, X-format surprises are recorded as anomalies with the
// row and counted, and only what PostgreSQL cannot store is refused.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDatabase, type TestDatabase } from "../../../test/support/database";
import { callerFor, laterVersion, makePosts, principalFor } from "../../../test/support/fixtures";
import { anomalyRules } from "../../shared/anomaly-rules";
import { seededRandom } from "../../shared/random";
import { MAX_INDEXED_BYTES } from "../../shared/schemas/primitives";
import type { Principal } from "../auth/principal";
import { sqlPool } from "../db";
import { getPostByStatusId } from "../posts/post-queries";

let t: TestDatabase;
let admin: Principal;

beforeAll(async () => {
  t = await createTestDatabase();
  admin = await principalFor(t.db, "admin");
});
afterAll(async () => t?.drop());

const batch = (key: string, body: Record<string, unknown>) => ({
  idempotencyKey: key,
  collector: "legacy-box",
  mode: "cutover",
  ...body,
});

/** Text of random letters from several scripts (so it does not compress), exactly `bytes` long in UTF-8. */
function incompressible(bytes: number, seed: number): string {
  const r = seededRandom(seed);
  const pools = ["abcdefghijklmnopqrstuvwxyz", "αβγδεζηθικλμνξοπρστυφχψω", "あいうえおかきくけこさしすせそ"];
  let out = "";
  let used = 0;
  while (used < bytes) {
    const pool = pools[r.int(0, 2)]!;
    const c = pool[r.int(0, pool.length - 1)]!;
    const size = Buffer.byteLength(c);
    if (used + size > bytes) {
      out += "z".repeat(bytes - used);
      break;
    }
    out += c;
    used += size;
  }
  return out;
}

describe("ingest stores what the contract allows", () => {
  it("stores X-invalid values as they are, with their anomalies, counted in the result", async () => {
    const api = callerFor(t.db, admin);
    const [plain, odd] = makePosts(2, { seed: 41, firstId: 900n });
    const weird = {
      ...odd!,
      author_handle: "Some.Body",
      author_id: "legacy:alice",
      conversation_id: "thread-7",
      like_count: -3,
      score: 7.5,
      lang: "x-a-very-long-private-language-tag",
      created_at: "1999-12-31T23:59:59Z",
    };
    const account = {
      handle: "Mixed.Case",
      user_id: "u-17",
      tier: "priority",
      note: "n".repeat(5000),
      added_at: "2026-02-01T00:00:00Z",
      updated_at: "2026-02-01T00:00:00Z",
    };
    const result = await api.ingest.push(batch("faithful-1", { posts: [plain!, weird], watchAccounts: [account] }));
    expect(result.rejects).toEqual([]);
    expect(result.tables.posts).toEqual({ inserted: 2, updated: 0, unchanged: 0, rejected: 0, anomalies: 1 });
    expect(result.tables.watchAccounts).toMatchObject({ inserted: 1, rejected: 0, anomalies: 1 });

    const view = await getPostByStatusId(t.db, weird.status_id);
    expect(view.author).toEqual({ handle: "Some.Body", id: "legacy:alice" });
    expect(view).toMatchObject({ conversation_id: "thread-7", score: 7.5, lang: weird.lang });
    expect(view.metrics.like_count).toBe(-3);
    expect(view.anomalies).toEqual([
      `author_handle: ${anomalyRules.xHandle.message}`,
      `author_handle: ${anomalyRules.lowercase.message}`,
      `author_id: ${anomalyRules.xUserId.message}`,
      `created_at: ${anomalyRules.xEra.message}`,
      `like_count: ${anomalyRules.nonNegative.message}`,
      `conversation_id: ${anomalyRules.xStatusId.message}`,
      `score: ${anomalyRules.unitInterval.message}`,
    ]);
    expect((await getPostByStatusId(t.db, plain!.status_id)).anomalies).toEqual([]);
    const stored = await t.db.watchAccount.findUniqueOrThrow({ where: { handle: "Mixed.Case" } });
    expect(stored).toMatchObject({ userId: "u-17", note: account.note });
    expect(stored.anomalies).toEqual([
      `handle: ${anomalyRules.xHandle.message}`,
      `handle: ${anomalyRules.lowercase.message}`,
      `user_id: ${anomalyRules.xUserId.message}`,
    ]);
    // The handle is not lower-cased: a second account differing only in case is a row of its own.
    const lower = { ...account, handle: "mixed.case", note: null };
    const second = await api.ingest.push(batch("faithful-2", { watchAccounts: [lower] }));
    expect(second.tables.watchAccounts).toMatchObject({ inserted: 1, anomalies: 1 });
    expect(await t.db.watchAccount.count({ where: { handle: { in: ["Mixed.Case", "mixed.case"] } } })).toBe(2);
  });

  it("a corrected version clears the row's anomalies", async () => {
    const api = callerFor(t.db, admin);
    const [post] = makePosts(1, { seed: 42, firstId: 950n });
    await api.ingest.push(batch("fix-1", { posts: [{ ...post!, author_id: "n/a" }] }));
    expect((await getPostByStatusId(t.db, post!.status_id)).anomalies).toEqual([
      `author_id: ${anomalyRules.xUserId.message}`,
    ]);
    const fixed = await api.ingest.push(batch("fix-2", { posts: [laterVersion(post!, 1000)] }));
    expect(fixed.tables.posts).toMatchObject({ updated: 1, anomalies: 0 });
    expect((await getPostByStatusId(t.db, post!.status_id)).anomalies).toEqual([]);
  });

  it("refuses only what PostgreSQL cannot store, naming the column", async () => {
    const api = callerFor(t.db, admin);
    const posts = makePosts(6, { seed: 43, firstId: 980n });
    const bad = [
      { ...posts[0]!, status_id: "98x" },
      { ...posts[1]!, body: "nul\u0000" },
      { ...posts[2]!, author_handle: "\ud800lone" },
      { ...posts[3]!, created_at: "0000-06-01T00:00:00Z" },
      { ...posts[4]!, view_count: 2 ** 60 },
      { ...posts[5]!, author_handle: incompressible(MAX_INDEXED_BYTES + 1, 1) },
    ];
    const result = await api.ingest.push(batch("refuse-1", { posts: bad }));
    expect(result.tables.posts).toMatchObject({ inserted: 0, rejected: 6 });
    expect(result.rejects.map((r) => r.reason)).toEqual([
      expect.stringContaining("status_id: must be an X status id"),
      expect.stringContaining("body: must not contain NUL bytes"),
      expect.stringContaining("author_handle: must be valid Unicode"),
      expect.stringContaining("created_at: must be a time between the years 0001 and 9999"),
      expect.stringContaining("view_count: must be within"),
      expect.stringContaining(`author_handle: must be at most ${MAX_INDEXED_BYTES} bytes in UTF-8`),
    ]);
  });

  it("the index bound is real: PostgreSQL stores a handle at the bound and refuses one well past it", async () => {
    const api = callerFor(t.db, admin);
    const [post] = makePosts(1, { seed: 44, firstId: 990n });
    const atBound = incompressible(MAX_INDEXED_BYTES, 2);
    const result = await api.ingest.push(batch("bound-1", { posts: [{ ...post!, author_handle: atBound }] }));
    expect(result.tables.posts).toMatchObject({ inserted: 1, rejected: 0 });
    expect((await getPostByStatusId(t.db, post!.status_id)).author.handle).toBe(atBound);
    await expect(
      sqlPool(t.db).query(`update posts set author_handle = $1 where status_id = $2`, [
        incompressible(3000, 3),
        post!.status_id,
      ]),
    ).rejects.toThrow(/index row (size|requires)/);
  });
});
