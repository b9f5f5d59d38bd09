// The post lookup runs as a raw statement on the pg pool; these checks pin it
// to exactly what Prisma's typed read of the same row gives.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDatabase, type TestDatabase } from "../../../test/support/database";
import { makePosts, principalFor } from "../../../test/support/fixtures";
import { pushIngestBatch } from "../ingest/push-ingest-batch";
import { postListSchema } from "~/shared/schemas/queries";
import { getPostByStatusId, listPosts } from "./post-queries";
import { postDetailSelect, toPostView } from "./post-view";

let t: TestDatabase;
const [full, sparse, ...searchable] = makePosts(5, { seed: 11 });
const searchBodies = ["up 50% today", "up 50x today", "path a\\b and a_b"];

beforeAll(async () => {
  t = await createTestDatabase();
  const principal = await principalFor(t.db, "ingest");
  const posts = [
    ...searchable.map((post, i) => ({ ...post, body: searchBodies[i]! })),
    { ...full!, view_count: 9_007_199_254_740_000, raw_json: '{"id":"1","note":"ünïcode ✓"}' },
    {
      ...sparse!,
      author_id: null,
      lang: null,
      url: null,
      conversation_id: null,
      score: null,
      raw_json: null,
      like_count: null,
      repost_count: null,
      reply_count: null,
      quote_count: null,
      view_count: null,
    },
  ];
  const result = await pushIngestBatch(t.db, {
    input: { idempotencyKey: "lookup-fixture", collector: "test", mode: "priority", posts },
    principal,
  });
  expect(result.tables.posts.inserted).toBe(5);
});
afterAll(async () => t?.drop());

describe("getPostByStatusId", () => {
  it("returns the same view as Prisma's typed read, for a full row and a row of nulls", async () => {
    for (const statusId of [full!.status_id, sparse!.status_id]) {
      const viaPrisma = toPostView(
        await t.db.post.findUniqueOrThrow({ where: { statusId }, select: postDetailSelect }),
      );
      expect(await getPostByStatusId(t.db, statusId)).toEqual(viaPrisma);
    }
    const view = await getPostByStatusId(t.db, full!.status_id);
    expect(view.metrics.view_count).toBe(9_007_199_254_740_000);
    expect(view.raw_json).toBe('{"id":"1","note":"ünïcode ✓"}');
  });

  it("answers NOT_FOUND with what to check for an unknown id", async () => {
    await expect(getPostByStatusId(t.db, "1")).rejects.toMatchObject({
      code: "NOT_FOUND",
      message: expect.stringContaining("run catch-up"),
    });
  });
});

describe("listPosts text search", () => {
  const bodiesFor = async (text: string) =>
    (await listPosts(t.db, postListSchema.parse({ text }))).items.map((p) => p.body).sort();

  it("treats %, _ and \\ as the characters they are, not as wildcards", async () => {
    expect(await bodiesFor("50%")).toEqual(["up 50% today"]);
    expect(await bodiesFor("a_b")).toEqual(["path a\\b and a_b"]);
    expect(await bodiesFor("a\\b")).toEqual(["path a\\b and a_b"]);
    expect(await bodiesFor("%%%")).toEqual([]);
    expect(await bodiesFor("___")).toEqual([]);
    expect(await bodiesFor("UP 50")).toEqual(["up 50% today", "up 50x today"]);
  });

  it("refuses search texts shorter than three characters", () => {
    expect(postListSchema.safeParse({ text: "ab" }).success).toBe(false);
    expect(postListSchema.safeParse({ text: "  a " }).success).toBe(false);
    expect(postListSchema.safeParse({ text: "abc" }).success).toBe(true);
  });
});
