// Deeper content-reconcile rounds read only the wanted segments' keys of
// collector_pushes, through its primary key in the database's collation
// (src/server/reconcile/key-ranges.ts, docs/decisions/021). That is exact only
// if, for strings of decimal digits, the collation orders like bytes (collate
// "C", SQLite's BINARY): proved here against the server's own collation and
// the others it offers, over awkward digit strings; then the ranged statements
// must answer exactly what the whole-scan statements answer.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Principal } from "../src/server/auth/principal";
import { closeDb, createDb, sqlPool } from "../src/server/db";
import { deepRowHashes, deepSegments } from "../src/server/reconcile/deep-reconcile";
import { rowHashesSql, segmentsSql } from "../src/server/reconcile/deep-sql";
import {
  DIGIT_KEY_TABLES,
  DIGIT_ORDER_PROBES,
  digitsOrderAsBytes,
  orderDisagreementsSql,
  pushesKeyCollationSql,
  wantedKeyRanges,
} from "../src/server/reconcile/key-ranges";
import { bucketOf, compareKeys } from "../src/shared/row-hash";
import { createTestDatabase, type TestDatabase } from "./support/database";
import { callerFor, makePosts, principalFor } from "./support/fixtures";

let t: TestDatabase;
let admin: Principal;

beforeAll(async () => {
  t = await createTestDatabase();
  admin = await principalFor(t.db, "admin");
});
afterAll(async () => t?.drop());

/** Random digit strings of 1 to 20 digits, with leading zeros, from a fixed seed. */
function digitStrings(count: number, seed: number): string[] {
  let state = seed;
  const next = () => ((state = (state * 1_103_515_245 + 12_345) % 2_147_483_648), state);
  return Array.from({ length: count }, () =>
    Array.from({ length: 1 + (next() % 20) }, () => String(next() % 10)).join(""),
  );
}

describe("digit strings order like bytes in the server's collations", () => {
  // Every ordered pair: "<" and "=" must agree with collate "C" (byte order), so a range
  // condition in the collation picks exactly the keys the byte-order bounds mean.
  const keys = [...new Set([...DIGIT_ORDER_PROBES, ...digitStrings(300, 7)])];
  const disagreements = async (collation: string, strings: readonly string[] = keys) =>
    (await sqlPool(t.db).query<{ n: number }>(orderDisagreementsSql(collation), [strings])).rows[0]!.n;

  it("in the collation of collector_pushes.key (the index the ranges are read through), as the service probes it", async () => {
    const { rows } = await sqlPool(t.db).query<{ collation: string }>(pushesKeyCollationSql);
    expect(rows).toHaveLength(1);
    expect(await disagreements(rows[0]!.collation)).toBe(0);
    expect(await digitsOrderAsBytes(t.db)).toBe(true);
  });

  it('in "C", the database\'s default and every libc and ICU collation of these locales on the server', async () => {
    const { rows } = await sqlPool(t.db).query<{ collation: string }>(
      `select quote_ident(collname) as collation from pg_collation
       where collname in ('C', 'POSIX', 'default', 'ucs_basic', 'C.utf8', 'C.UTF-8', 'en_US.utf8', 'en_US', 'de_DE.utf8',
                          'und-x-icu', 'en-x-icu', 'en-US-x-icu', 'de-x-icu', 'sv-x-icu', 'ja-x-icu')`,
    );
    expect(rows.map((r) => r.collation)).toContain('"default"');
    for (const { collation } of rows)
      expect({ collation, n: await disagreements(collation) }).toEqual({ collation, n: 0 });
  });
});

describe("wantedKeyRanges", () => {
  it("covers exactly the keys whose segment is wanted (byte order), adjacent segments merged", () => {
    const keys = [...DIGIT_ORDER_PROBES, ...digitStrings(400, 11)];
    for (let round = 0; round < 40; round++) {
      const bounds = [...new Set(digitStrings(1 + (round % 12), 100 + round))].sort(compareKeys);
      const wanted = Array.from({ length: bounds.length + 1 }, (_, s) => s).filter((s) => (s * 7 + round) % 3 !== 0);
      const ranges = wantedKeyRanges("posts", bounds, wanted);
      if (wanted.length === bounds.length + 1) {
        expect(ranges).toBeNull();
        continue;
      }
      expect(ranges).not.toBeNull();
      const { lo, hi, tail } = ranges!;
      // Merged: no range ends where the next begins.
      for (let i = 1; i < lo.length; i++) expect(compareKeys(hi[i - 1]!, lo[i]!)).toBeLessThan(0);
      for (const key of keys) {
        const inRanges =
          lo.some((l, i) => compareKeys(l, key) <= 0 && compareKeys(key, hi[i]!) < 0) ||
          (tail !== null && compareKeys(tail, key) <= 0);
        expect({ key, bounds, inRanges }).toEqual({ key, bounds, inRanges: wanted.includes(bucketOf(key, bounds)) });
      }
    }
  });

  it("declines what a range cannot read exactly or need not: every segment, a bound with other characters, an owned table", () => {
    expect(DIGIT_KEY_TABLES).toEqual(["posts", "embeddings"]);
    expect(wantedKeyRanges("posts", ["10", "20"], [2, 0, 1])).toBeNull();
    expect(wantedKeyRanges("posts", ["10", "2a"], [1])).toBeNull();
    expect(wantedKeyRanges("posts", ["10", "２"], [1])).toBeNull();
    expect(wantedKeyRanges("narrativeShifts", ["shift-1", "shift-2"], [1])).toBeNull();
    expect(wantedKeyRanges("posts", ["10", "20", "30"], [0, 2])).toEqual({
      lo: ["", "20"],
      hi: ["10", "30"],
      tail: null,
    });
    expect(wantedKeyRanges("posts", ["10", "20", "30"], [0, 2, 3, 9])).toEqual({ lo: [""], hi: ["10"], tail: "20" });
    expect(wantedKeyRanges("posts", ["10", "20", "30"], [2, 3])).toEqual({ lo: [], hi: [], tail: "20" });
    expect(wantedKeyRanges("embeddings", ["10", "20"], [1])).toEqual({ lo: ["10"], hi: ["20"], tail: null });
  });
});

describe("the ranged statements answer as the whole scans do", () => {
  const mine = DIGIT_ORDER_PROBES.filter((k) => k !== "");
  const others = ["0002", "15", "1900000000000000005", "8"];

  beforeAll(async () => {
    const posts = (ids: readonly string[], seed: number) =>
      makePosts(ids.length, { seed }).map((post, i) => ({ ...post, status_id: ids[i]! }));
    for (const [collector, ids, seed] of [
      ["ranges-a", mine, 1],
      ["ranges-b", others, 2],
    ] as const) {
      const push = await callerFor(t.db, admin).ingest.push({
        idempotencyKey: `key-ranges-${collector}`,
        collector,
        mode: "priority",
        posts: posts(ids, seed),
      });
      expect(push.rejects ?? []).toEqual([]);
    }
  });

  /** The whole-scan statement's answer, run as it stands. */
  const whole = async <R extends object>(sql: string, params: unknown[]) =>
    (await sqlPool(t.db).query<R>(sql, params)).rows;

  it("segments and row-hash pages, for every subset pattern, reading only the collector's keys", async () => {
    const sorted = [...mine].sort(compareKeys);
    let ranged = 0;
    for (let round = 0; round < 24; round++) {
      // Bounds: some stored keys (a range starts or ends exactly on a key), some not.
      const bounds = [
        ...new Set([
          ...sorted.filter((_, i) => (i + round) % (3 + (round % 5)) === 0),
          ...digitStrings(round % 4, round),
        ]),
      ].sort(compareKeys);
      const segments = Array.from({ length: bounds.length + 1 }, (_, s) => s).filter((s) => (s + round) % 4 !== 1);
      if (wantedKeyRanges("posts", bounds, segments)) ranged++;
      const input = { table: "posts" as const, collector: "ranges-a", bounds, segments };
      const got = await deepSegments(t.db, { input, principal: admin });
      const want = await whole<{ segment: number; count: number; checksum: string }>(segmentsSql.posts, [
        "ranges-a",
        null,
        bounds,
        segments,
      ]);
      expect(got).toEqual(want.map((r) => ({ segment: r.segment, count: r.count, checksum: Number(r.checksum) })));
      expect(got.reduce((n, s) => n + s.count, 0)).toBe(
        sorted.filter((k) => segments.includes(bucketOf(k, bounds))).length,
      );

      const page = await deepRowHashes(t.db, { input: { ...input, limit: 5 }, principal: admin });
      const wantPage = await whole<{ key: string; hash: string; updated_at: string }>(rowHashesSql.posts, [
        "ranges-a",
        null,
        bounds,
        segments,
        null,
        6,
      ]);
      expect(page.rows).toEqual(
        wantPage.slice(0, 5).map((r) => ({ key: r.key, hash: Number(r.hash), updatedAt: Number(r.updated_at) })),
      );
      expect(page.more).toBe(wantPage.length > 5);
      expect(page.rows.every((r) => mine.includes(r.key))).toBe(true);
    }
    expect(ranged).toBeGreaterThan(12);
  });

  // Last: it changes the test database's schema.
  it("a database whose key collation sorts digits numerically is probed and scanned whole, still exact", async () => {
    const { rows } = await sqlPool(t.db).query<{ n: number }>(
      `select count(*)::int as n from pg_collation where collprovider = 'i'`,
    );
    if (rows[0]!.n === 0) return; // a server built without ICU cannot have such a collation either
    const pool = sqlPool(t.db);
    await pool.query(`create collation digits_numeric (provider = icu, locale = 'und-u-kn-true')`);
    await pool.query(`alter table collector_pushes alter column key type text collate digits_numeric`);
    const fresh = createDb(t.url, { max: 2 }); // a new process's view: probed afresh
    try {
      expect(await digitsOrderAsBytes(fresh)).toBe(false);
      const bounds = ["10", "7", "9"];
      const segments = [1, 3];
      const want = await whole<{ segment: number; count: number; checksum: string }>(segmentsSql.posts, [
        "ranges-a",
        null,
        bounds,
        segments,
      ]);
      const input = { table: "posts" as const, collector: "ranges-a", bounds, segments };
      const got = await deepSegments(fresh, { input, principal: admin });
      expect(got).toEqual(want.map((r) => ({ segment: r.segment, count: r.count, checksum: Number(r.checksum) })));
      expect(got.reduce((n, s) => n + s.count, 0)).toBe(
        mine.filter((k) => segments.includes(bucketOf(k, bounds))).length,
      );
    } finally {
      await closeDb(fresh);
    }
  });
});
