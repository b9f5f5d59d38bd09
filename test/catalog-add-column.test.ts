// Adding a column is a change to the catalog (besides the contract,
// schema.prisma and its migration): here four columns are added to a
// throwaway copy of the posts table, the real tables get them, and
// everything derived from the catalog follows with no other edit: the item
// schema and its inferred type, the batch schema, the server's upsert and
// read-back SQL, the post view both ways, and the collector's row
// conversions and local upsert.
import Database from "better-sqlite3";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { z } from "zod";
import { rowDecoderFor, rowEncoderFor } from "../src/collector/store/items";
import { localUpsertSql } from "../src/collector/store/local-upsert";
import { SQLITE_SCHEMA } from "../src/collector/store/schema";
import { buildRowsByKeysSql } from "../src/server/cutover/rows-by-keys";
import { sqlPool } from "../src/server/db";
import { buildUpsertSql } from "../src/server/ingest/upsert-sql";
import { postViewBuilder } from "../src/server/posts/post-view";
import { postViewFields, viewFieldsOf, viewToItem } from "../src/shared/post-view";
import { ingestBatchSchema, tableArrays } from "../src/shared/schemas/ingest";
import { itemSchemaFor, postItemSchema } from "../src/shared/schemas/items";
import { flag, int4, text } from "../src/shared/schemas/primitives";
import { column, syncTableNames, tableCatalog } from "../src/shared/table-catalog";
import { createTestDatabase, type TestDatabase } from "./support/database";
import { makePosts } from "./support/fixtures";

const posts = {
  ...tableCatalog.posts,
  columns: {
    ...tableCatalog.posts.columns,
    sentiment: column("double precision", z.number().min(-1).max(1), { nullable: true }),
    topic: column("text", text({ min: 1, max: 100 })),
    pinned: column("boolean", flag, { default: false }),
    bookmark_count: column("integer", int4, { nullable: true, view: ["metrics", "bookmark_count"] }),
  },
};
const schema = itemSchemaFor(posts.columns);
const [base] = makePosts(1, { seed: 5 });
const item: z.input<typeof schema> = { ...base!, sentiment: -0.25, topic: "rates", pinned: 1, bookmark_count: 7 };
// @ts-expect-error the inferred item type requires the new column without a default
const withoutTopic: z.input<typeof schema> = { ...base! };

describe("a column added to the catalog", () => {
  it("is validated by the derived item schema: required, nullable, defaulted and checked as declared", () => {
    expect(schema.parse(item)).toMatchObject({ sentiment: -0.25, topic: "rates", pinned: true, bookmark_count: 7 });
    expect(schema.parse({ ...item, sentiment: null, pinned: undefined })).toMatchObject({
      sentiment: null,
      pinned: false,
    });
    expect(schema.safeParse(withoutTopic).error?.issues.map((i) => i.path)).toEqual([["topic"]]);
    expect(schema.safeParse({ ...item, sentiment: 2 }).error?.issues.map((i) => i.path)).toEqual([["sentiment"]]);
    // The real catalog does not have it: the derivation is what carries it.
    expect(postItemSchema.parse(item)).not.toHaveProperty("topic");
  });

  it("travels in a batch, whose table arrays follow the catalog", () => {
    const batch = ingestBatchSchema.parse({ idempotencyKey: "k", collector: "c", mode: "priority", posts: [item] });
    expect(batch.posts[0]).toMatchObject({ topic: "rates", sentiment: -0.25 });
    expect(Object.keys(tableArrays([...syncTableNames, "bookmarks"]))).toContain("bookmarks");
  });

  it("is in the collector's row conversions and local upsert, with the table's rules", () => {
    const sqlite = new Database(":memory:");
    sqlite.exec(SQLITE_SCHEMA);
    sqlite.exec(`ALTER TABLE tweets ADD COLUMN sentiment REAL;
      ALTER TABLE tweets ADD COLUMN topic TEXT;
      ALTER TABLE tweets ADD COLUMN pinned INTEGER NOT NULL DEFAULT 0;
      ALTER TABLE tweets ADD COLUMN bookmark_count INTEGER;`);
    const sql = localUpsertSql(posts);
    expect(sql).toContain("sentiment = coalesce(excluded.sentiment, tweets.sentiment)");
    const upsert = sqlite.prepare(sql);
    const encode = rowEncoderFor(posts);
    expect(encode(item)).toMatchObject({ pinned: 1, topic: "rates" });
    upsert.run(encode(item));
    // posts keeps a stored value when a later fetch lacks it: the new nullable column too.
    upsert.run(encode({ ...item, sentiment: null, topic: "tariffs", updated_at: "2026-11-21T00:00:00.000Z" }));
    const row = sqlite.prepare("SELECT * FROM tweets").get() as Record<string, unknown>;
    expect(rowDecoderFor(posts)(row)).toMatchObject({ sentiment: -0.25, topic: "tariffs", pinned: true });
    sqlite.close();
  });
});

describe("a column added to the catalog, on the server", () => {
  let t: TestDatabase;
  beforeAll(async () => {
    t = await createTestDatabase();
    await sqlPool(t.db).query(
      `alter table posts add column sentiment double precision, add column topic text not null default '',
         add column pinned boolean not null default false, add column bookmark_count integer`,
    );
  });
  afterAll(async () => t?.drop());

  it("is written by the derived upsert, read back by rows-by-keys and shown in the post view both ways", async () => {
    const pool = sqlPool(t.db);
    const upsert = buildUpsertSql(posts);
    expect(upsert).toContain(`"sentiment" double precision`);
    const write = async (version: z.input<typeof schema>) =>
      (await pool.query<{ inserted: number; updated: number }>(upsert, [JSON.stringify([schema.parse(version)])]))
        .rows[0];
    expect(await write(item)).toEqual({ inserted: 1, updated: 0 });
    expect(await write(item)).toEqual({ inserted: 0, updated: 0 });
    const later = { ...item, topic: "tariffs", updated_at: new Date(Date.parse(item.updated_at) + 1000).toISOString() };
    expect(await write(later)).toEqual({ inserted: 0, updated: 1 });

    const { rows } = await pool.query<{ row: Record<string, unknown> }>(buildRowsByKeysSql(posts), [[item.status_id]]);
    expect(rows[0]!.row).toMatchObject({ sentiment: -0.25, topic: "tariffs", pinned: true, bookmark_count: 7 });

    const stored = (await pool.query(`select * from posts where status_id = $1`, [item.status_id])).rows[0] as Record<
      string,
      unknown
    >;
    const prismaShaped = Object.fromEntries(
      Object.entries(stored).map(([k, v]) => [k.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase()), v]),
    );
    const fields = viewFieldsOf(posts);
    const view = postViewBuilder(fields)(prismaShaped);
    expect(view).toMatchObject({ sentiment: -0.25, topic: "tariffs", pinned: true, metrics: { bookmark_count: 7 } });
    expect(viewToItem(fields, view)).toMatchObject({
      topic: "tariffs",
      bookmark_count: 7,
      updated_at: later.updated_at,
    });
    expect(postViewFields.map((f) => f.wire)).not.toContain("topic");
  });
});
