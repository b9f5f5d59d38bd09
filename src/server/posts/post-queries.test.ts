// The post lookup runs as a raw statement on the pg pool; these checks pin it
// to exactly what Prisma's typed read of the same row gives.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDatabase, type TestDatabase } from "../../../test/support/database";
import { makePosts, principalFor } from "../../../test/support/fixtures";
import { pushIngestBatch } from "../ingest/push-ingest-batch";
import { getPostByStatusId } from "./post-queries";
import { postDetailSelect, toPostView } from "./post-view";

let t: TestDatabase;
const [full, sparse] = makePosts(2, { seed: 11 });

beforeAll(async () => {
  t = await createTestDatabase();
  const principal = await principalFor(t.db, "ingest");
  const posts = [
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
  expect(result.tables.posts.inserted).toBe(2);
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
