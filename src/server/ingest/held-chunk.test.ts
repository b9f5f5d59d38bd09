// The server's side of the cutover re-run's check (docs/decisions/022): this
// collector's rows in a chunk's key range, their checksum as the content
// reconcile computes it, the anomalies among them, never another collector's
// rows, never more than the chunk's rows + 1 read, and nothing for a caller
// that may not act for the collector or a table that cannot be read by range.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDatabase, type TestDatabase } from "../../../test/support/database";
import { callerFor, makePosts, principalFor } from "../../../test/support/fixtures";
import type { PostItem } from "../../shared/schemas/items";
import type { Principal } from "../auth/principal";
import { HELD_CHUNK_TABLES } from "../../shared/schemas/bulk";
import { deepSegments } from "../reconcile/deep-reconcile";
import { STORED_HASH_TABLES } from "../reconcile/deep-sql";
import { DIGIT_KEY_TABLES } from "../reconcile/key-ranges";

let t: TestDatabase;
let admin: Principal;
let posts: PostItem[];

beforeAll(async () => {
  t = await createTestDatabase();
  admin = await principalFor(t.db, "admin");
  posts = makePosts(30, { seed: 17, firstId: 1_900_000_000_000_000_100n });
  // One post X would not issue (a dotted handle): stored with an anomaly.
  posts[4] = { ...posts[4]!, author_handle: "Some.Body" };
  const api = callerFor(t.db, admin);
  const push = (collector: string, items: PostItem[], key: string) =>
    api.ingest.push({ idempotencyKey: key, collector, mode: "cutover", posts: items });
  await push("box-a", posts, "held-a");
  await push("box-b", posts.slice(10, 20), "held-b");
}, 120_000);
afterAll(async () => t?.drop());

const first = () => posts[0]!.status_id;
const last = () => posts.at(-1)!.status_id;

describe("ingest.held", () => {
  it("serves the shared tables, each read by status-id range with a stored row hash", () => {
    expect([...HELD_CHUNK_TABLES].sort()).toEqual(["embeddings", "posts"]);
    for (const table of HELD_CHUNK_TABLES) {
      expect(DIGIT_KEY_TABLES).toContain(table);
      expect(STORED_HASH_TABLES).toContain(table);
    }
  });

  it("counts this collector's rows in the range with the content reconcile's checksum and their anomalies", async () => {
    const api = callerFor(t.db, admin);
    const held = await api.ingest.held({
      table: "posts",
      collector: "box-a",
      firstKey: first(),
      lastKey: last(),
      rows: 30,
    });
    const [whole] = await deepSegments(t.db, {
      input: { table: "posts", collector: "box-a", bounds: [], segments: [0] },
      principal: admin,
    });
    expect(held).toEqual({ known: true, recorded: false, count: 30, checksum: whole!.checksum, anomalies: 1 });
    expect(whole!.count).toBe(30);
  });

  it("reads only the range, and only the collector's own pushes", async () => {
    const api = callerFor(t.db, admin);
    const ask = (table: "posts" | "embeddings", collector: string, firstKey: string, lastKey: string) =>
      api.ingest.held({ table, collector, firstKey, lastKey, rows: 30 });
    expect((await ask("posts", "box-a", posts[5]!.status_id, posts[9]!.status_id)).count).toBe(5);
    expect((await ask("posts", "box-b", first(), last())).count).toBe(10);
    const none = await ask("embeddings", "box-a", first(), last());
    expect(none).toEqual({ known: true, recorded: false, count: 0, checksum: 0, anomalies: 0 });
  });

  it("says when a batch was recorded under the chunk's key for this collector (a resumed pass sends it, for the record's answer)", async () => {
    const api = callerFor(t.db, admin);
    const ask = (collector: string, idempotencyKey: string) =>
      api.ingest.held({ table: "posts", collector, firstKey: first(), lastKey: last(), rows: 30, idempotencyKey });
    expect(await ask("box-a", "held-a")).toEqual({ known: true, recorded: true, count: 0, checksum: 0, anomalies: 0 });
    expect(await ask("box-b", "held-a")).toMatchObject({ recorded: false, count: 10 });
    expect(await ask("box-a", "never-sent")).toMatchObject({ recorded: false, count: 30 });
  });

  it("reads at most one row more than the chunk holds, however wide the range", async () => {
    const api = callerFor(t.db, admin);
    const held = await api.ingest.held({
      table: "posts",
      collector: "box-a",
      firstKey: "0",
      lastKey: "9".repeat(20),
      rows: 3,
    });
    expect(held.count).toBe(4);
  });

  it("refuses a key bound to another collector, a table not read by range, and keys that are not status ids", async () => {
    const boundToB = await principalFor(t.db, "ingest", { collector: "box-b" });
    const asB = callerFor(t.db, boundToB);
    await expect(
      asB.ingest.held({ table: "posts", collector: "box-a", firstKey: first(), lastKey: last(), rows: 30 }),
    ).rejects.toMatchObject({ code: "FORBIDDEN" });
    const api = callerFor(t.db, admin);
    await expect(
      api.ingest.held({ table: "pipelineRuns", collector: "box-a", firstKey: "1", lastKey: "2", rows: 1 }),
    ).rejects.toMatchObject({
      code: "BAD_REQUEST",
      message: expect.stringContaining("send pipelineRuns chunks as they are"),
    });
    await expect(
      api.ingest.held({ table: "posts", collector: "box-a", firstKey: "1' or true --", lastKey: "2", rows: 1 }),
    ).rejects.toMatchObject({ code: "BAD_REQUEST" });
    await expect(
      api.ingest.held({ table: "posts", collector: "box-a", firstKey: "1", lastKey: "2", rows: 1_000_000 }),
    ).rejects.toMatchObject({ code: "BAD_REQUEST" });
  });

  it("needs an ingest or admin key", async () => {
    const reader = await principalFor(t.db, "reader");
    await expect(
      callerFor(t.db, reader).ingest.held({ table: "posts", collector: "box-a", firstKey: "1", lastKey: "2", rows: 1 }),
    ).rejects.toMatchObject({ code: "FORBIDDEN" });
  });
});
