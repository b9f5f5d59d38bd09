// Content reconcile hashes a row on both sides: PostgreSQL from its typed
// columns (src/server/reconcile/deep-sql.ts), the collector from its SQLite
// values (src/collector/deep/row-hash.ts). For every table, including the
// awkward values (NULLs, empty arrays, astral characters, bigints, doubles,
// float32 vectors, times without milliseconds), the same rows must give
// the same hash and the same key order; one changed column must not.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { isoTimeMs } from "../src/shared/schemas/primitives";
import { forEachRowHash, scanHashedRows, scanKeys } from "../src/collector/store/deep-scan";
import { upsertItems } from "../src/collector/store/local-upsert";
import { deepRowHashes, deepSegments } from "../src/server/reconcile/deep-reconcile";
import { computedRowHashSql, STORED_HASH_TABLES } from "../src/server/reconcile/deep-sql";
import { tableCatalog } from "../src/shared/table-catalog";
import { bucketOf, HASH_MODULUS } from "../src/shared/row-hash";
import { syncTableNames, type SyncTable } from "../src/shared/schemas/tables";
import { createTestDatabase, type TestDatabase } from "./support/database";
import { callerFor, principalFor } from "./support/fixtures";
import { useTempStore } from "./support/temp-store";
import type { Principal } from "../src/server/auth/principal";

let t: TestDatabase;
let admin: Principal;
const local = useTempStore();

beforeAll(async () => {
  t = await createTestDatabase();
  admin = await principalFor(t.db, "admin");
});
afterAll(async () => t?.drop());

const at = "2026-11-20T10:00:00.123Z";
const later = "2026-11-20T11:00:00Z";
const items: Record<SyncTable, Record<string, unknown>[]> = {
  posts: [
    {
      status_id: "1900000000000000001",
      author_handle: "fedwatcher",
      author_id: null,
      body: "plain ascii",
      lang: null,
      url: null,
      created_at: "2026-11-20T09:00:00Z",
      collected_at: at,
      mode: "priority",
      run_id: null,
      like_count: null,
      view_count: null,
      score: null,
      raw_json: null,
      updated_at: at,
    },
    {
      status_id: "1900000000000000002",
      author_handle: "Zurich_desk",
      author_id: "42",
      body: "émoji 🚀 and 中文 and a \\ backslash and\nnewline",
      lang: "de",
      url: "https://x.com/a/status/2",
      created_at: "2026-11-20T09:00:00.5Z",
      collected_at: at,
      mode: "discovery",
      run_id: "run-1",
      like_count: 2_147_483_647,
      repost_count: 0,
      reply_count: 3,
      quote_count: 4,
      view_count: 9_007_199_254_740_991,
      is_reply: true,
      is_repost: true,
      conversation_id: "1900000000000000001",
      score: 0.1 + 0.2,
      raw_json: '{"id":"2","text":"🚀"}',
      updated_at: later,
    },
  ],
  reports: [
    {
      report_id: "rep-1",
      run_id: null,
      kind: "priority-digest",
      title: "Tïtle",
      body_md: "## body",
      status_ids: [],
      created_at: at,
      updated_at: at,
    },
    {
      report_id: "rep-2",
      run_id: "run-1",
      kind: "alert",
      title: "t",
      body_md: "",
      status_ids: ["1900000000000000001", "1900000000000000002"],
      created_at: at,
      updated_at: later,
    },
  ],
  pipelineRuns: [
    {
      run_id: "run-1",
      mode: "priority",
      run_at: at,
      finished_at: null,
      status: "running",
      fetched_count: 0,
      new_count: 0,
      error: null,
      updated_at: at,
    },
    {
      run_id: "run-2",
      mode: "discovery",
      run_at: at,
      finished_at: later,
      status: "failed",
      fetched_count: 12,
      new_count: 3,
      error: "boom ✗",
      updated_at: later,
    },
  ],
  watchAccounts: [
    { handle: "fedwatcher", user_id: null, tier: "priority", active: true, note: null, added_at: at, updated_at: at },
    { handle: "b_desk", user_id: "7", tier: "discovery", active: false, note: "ñote", added_at: at, updated_at: later },
  ],
  embeddings: [
    {
      status_id: "1900000000000000001",
      model: "m",
      dims: 4,
      vector: [0.1, -2.5, 3.4028234663852886e38, 1e-45],
      created_at: at,
      updated_at: at,
    },
    { status_id: "1900000000000000002", model: "m", dims: 1, vector: [0], created_at: at, updated_at: later },
  ],
  windowSummaries: [
    {
      window_id: "priority:2026-11-20T06:00:00Z/PT6H",
      mode: "priority",
      window_start: "2026-11-20T06:00:00Z",
      window_end: "2026-11-20T12:00:00Z",
      post_count: 2,
      summary_md: "sum",
      top_status_ids: ["1900000000000000002"],
      created_at: at,
      updated_at: at,
    },
  ],
  narrativeShifts: [
    {
      shift_id: "shift-1",
      topic: "rates",
      detected_at: at,
      window_id: null,
      magnitude: 0.7,
      description: "d",
      status_ids: [],
      created_at: at,
      updated_at: at,
    },
  ],
};

const COLLECTOR = "hash-box";
const all = { table: "posts" as SyncTable, collector: COLLECTOR, bounds: [] as string[], segments: [0] };

describe("row hashes agree between SQLite and PostgreSQL", () => {
  it("gives every table's rows the same hash, key order and segment checksum on both sides", async () => {
    const push = await callerFor(t.db, admin).ingest.push({
      idempotencyKey: "hash-agreement",
      collector: COLLECTOR,
      mode: "priority",
      ...items,
    });
    expect(push.rejects ?? []).toEqual([]);
    for (const table of syncTableNames) {
      upsertItems(local.store, table, items[table]);
      const mine = [...scanHashedRows(local.store, table, {})];
      const page = await deepRowHashes(t.db, { input: { ...all, table }, principal: admin });
      expect(
        page.rows.map((r) => r.key),
        table,
      ).toEqual(mine.map((r) => r.key));
      expect(
        page.rows.map((r) => r.hash),
        table,
      ).toEqual(mine.map((r) => r.hash));
      expect(
        page.rows.map((r) => r.updatedAt),
        table,
      ).toEqual(mine.map((r) => r.updatedAt));
      const [segment] = await deepSegments(t.db, { input: { ...all, table }, principal: admin });
      expect(segment, table).toEqual({
        segment: 0,
        count: mine.length,
        checksum: mine.reduce((sum, r) => (sum + r.hash) % HASH_MODULUS, 0),
      });
    }
  });

  it("sorts keys in byte order on both sides and cuts segments at the same bounds", async () => {
    const keys = ["a", "B", "é", "z", "\u{1F680}", "\uFFFD", "ab", "A_b"];
    const handles = keys.map((k, i) => ({ ...items.windowSummaries[0]!, window_id: `w-${k}`, post_count: i }));
    await callerFor(t.db, admin).ingest.push({
      idempotencyKey: "hash-order",
      collector: COLLECTOR,
      mode: "priority",
      windowSummaries: handles,
    });
    upsertItems(local.store, "windowSummaries", [...items.windowSummaries, ...handles]);
    const mine = [...scanKeys(local.store, "windowSummaries", {})];
    const page = await deepRowHashes(t.db, { input: { ...all, table: "windowSummaries" }, principal: admin });
    expect(page.rows.map((r) => r.key)).toEqual(mine);
    const bounds = [mine[2]!, mine[5]!];
    const segments = await deepSegments(t.db, {
      input: { ...all, table: "windowSummaries", bounds, segments: [0, 1, 2] },
      principal: admin,
    });
    expect(segments.map((s) => s.count)).toEqual([2, 3, mine.length - 5]);
    const mineCounts = [0, 1, 2].map((segment) => mine.filter((key) => bucketOf(key, bounds) === segment).length);
    expect(mineCounts).toEqual([2, 3, mine.length - 5]);
  });

  it("stores in row_hash exactly the hash computed from the columns, however the row was written", async () => {
    await callerFor(t.db, admin).ingest.push({
      idempotencyKey: "hash-stored",
      collector: COLLECTOR,
      mode: "priority",
      ...items,
    });
    const stored = async (table: SyncTable) => {
      const { server, key } = tableCatalog[table];
      return t.db.$queryRawUnsafe<{ key: string; stored: bigint | null; computed: bigint }[]>(
        `select t."${key}" as key, t.row_hash as stored, ${computedRowHashSql(table, "t")} as computed from "${server}" t order by 1`,
      );
    };
    for (const table of STORED_HASH_TABLES) {
      const rows = await stored(table);
      expect(rows.length, table).toBe(items[table].length);
      for (const row of rows) expect(row.stored, `${table} ${row.key}`).toBe(row.computed);
    }
    // Written outside the ingest merge (an operator's SQL): PostgreSQL regenerates the column.
    const before = await stored("posts");
    await t.db.$executeRawUnsafe(`update posts set body = body || ' (edited)'`);
    const after = await stored("posts");
    for (const [i, row] of after.entries()) {
      expect(row.stored).toBe(row.computed);
      expect(row.stored).not.toBe(before[i]!.stored);
    }
  });

  it("hashes a range with the checksum pass exactly as key by key", () => {
    const many = Array.from({ length: 600 }, (_, i) => ({
      ...items.posts[1]!,
      status_id: `19000000000${String(i).padStart(8, "0")}`,
      like_count: i,
      collected_at: i % 2 ? at : later,
    }));
    upsertItems(local.store, "posts", many);
    const ranges = [{}, { from: many[100]!.status_id, to: many[410]!.status_id }, { since: later }];
    for (const range of ranges) {
      const visited: [string, number][] = [];
      forEachRowHash(local.store, "posts", range, (key, hash) => visited.push([key, hash]));
      const rows = [...scanHashedRows(local.store, "posts", range)].map((r) => [r.key, r.hash]);
      expect(visited.length).toBeGreaterThan(250);
      expect(visited).toEqual(rows);
    }
  });

  it("reads ISO times digit by digit exactly as Date.parse does, and leaves every other text to it", () => {
    const times = Array.from({ length: 2_000 }, (_, i) =>
      new Date(Date.UTC(1990, 0, 1) + i * 987_654_321_7).toISOString(),
    );
    const odd = [
      "2026-11-20T09:00:00Z",
      "2026-11-20T09:00:00.5Z",
      "2026-02-29T00:00:00.000Z",
      "2026-02-30T00:00:00.000Z",
    ];
    const wrong = [
      "0099-01-01T00:00:00.000Z",
      "2026-13-01T00:00:00.000Z",
      "2026-11-20T24:00:00.000Z",
      "2026-1a-20T09:00:00.000Z",
    ];
    for (const text of [...times, ...odd, ...wrong, "not a time", ""])
      expect(isoTimeMs(text), text).toEqual(Date.parse(text));
  });

  it("changes the hash when one column changes", async () => {
    upsertItems(local.store, "posts", items.posts);
    const before = [...scanHashedRows(local.store, "posts", {})][1]!;
    upsertItems(local.store, "posts", [{ ...items.posts[1]!, like_count: 5 }]);
    const after = [...scanHashedRows(local.store, "posts", {})][1]!;
    expect(after.key).toBe(before.key);
    expect(after.hash).not.toBe(before.hash);
  });
});

describe("content reconcile reads are bounded and least-privilege", () => {
  it("refuses unsorted or too many bounds, an oversized page, and a key bound to another collector", async () => {
    const api = callerFor(t.db, admin);
    const input = { table: "posts" as const, collector: COLLECTOR, bounds: ["b", "a"], segments: [0] };
    await expect(api.reconcile.segments(input)).rejects.toMatchObject({ code: "BAD_REQUEST" });
    const many = Array.from({ length: 1025 }, (_, i) => `k${String(i).padStart(5, "0")}`);
    await expect(api.reconcile.segments({ ...input, bounds: many })).rejects.toMatchObject({ code: "BAD_REQUEST" });
    await expect(api.reconcile.rowHashes({ ...input, bounds: [], limit: 1001 })).rejects.toMatchObject({
      code: "BAD_REQUEST",
    });
    const other = await principalFor(t.db, "ingest", { collector: "another-box" });
    await expect(callerFor(t.db, other).reconcile.segments({ ...input, bounds: [] })).rejects.toMatchObject({
      code: "FORBIDDEN",
    });
    const own = await callerFor(t.db, other).reconcile.segments({ ...input, collector: "another-box", bounds: [] });
    expect(Array.isArray(own)).toBe(true);
  });
});
