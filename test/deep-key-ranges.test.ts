// Deeper content-reconcile rounds read only the wanted segments' keys of
// collector_pushes, through its primary key in the database's collation
// (src/server/reconcile/key-ranges.ts, docs/decisions/021). That is exact only
// if, for strings of decimal digits, the collation orders like bytes (collate
// "C", SQLite's BINARY): proved here against the server's own collation and
// the others it offers, over awkward digit strings; then the ranged statements
// must answer exactly what the whole-scan statements answer.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Principal } from "../src/server/auth/principal";
import { sqlPool } from "../src/server/db";
import { deepRowHashes, deepSegments } from "../src/server/reconcile/deep-reconcile";
import { rowHashesSql, segmentsSql } from "../src/server/reconcile/deep-sql";
import { DIGIT_KEY_TABLES, wantedKeyRanges } from "../src/server/reconcile/key-ranges";
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

/** Status ids as awkward as the schema allows: 1 to 20 digits, leading zeros, prefixes of each other. */
const AWKWARD = [
  ...["0", "00", "000", "0000000000000000000", "00000000000000000000", "01", "001", "010", "007", "07", "7", "70"],
  ...["1", "10", "100", "1000", "11", "19", "190", "2", "20", "9", "90", "99", "999", "0999", "9990"],
  ...["18446744073709551615", "18446744073709551616", "99999999999999999999", "10000000000000000000"],
  ...["9999999999999999999", "1900000000000000001", "1900000000000000010", "190000000000000001", "3800000000000000001"],
  ...["12345678901234567890", "1234567890123456789", "123456789012345678", "5", "50", "500", "05", "005"],
];

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
  const disagreements = async (collation: string, keys: string[]) => {
    const { rows } = await sqlPool(t.db).query<{ n: number }>(
      `select count(*)::int as n
       from unnest($1::text[]) a(k), unnest($1::text[]) b(k)
       where (a.k collate ${collation} < b.k collate ${collation}) <> (a.k collate "C" < b.k collate "C")
          or (a.k collate ${collation} = b.k collate ${collation}) <> (a.k collate "C" = b.k collate "C")`,
      [keys],
    );
    return rows[0]!.n;
  };
  const keys = [...new Set(["", ...AWKWARD, ...digitStrings(300, 7)])];

  it("in the collation of collector_pushes.key (the index the ranges are read through)", async () => {
    const { rows } = await sqlPool(t.db).query<{ collation: string }>(
      `select quote_ident(c.collname) as collation
       from pg_attribute a join pg_collation c on c.oid = a.attcollation
       where a.attrelid = 'collector_pushes'::regclass and a.attname = 'key'`,
    );
    expect(rows).toHaveLength(1);
    expect(await disagreements(rows[0]!.collation, keys)).toBe(0);
  });

  it('in "C", the database\'s default and every libc and ICU collation of these locales on the server', async () => {
    const { rows } = await sqlPool(t.db).query<{ collation: string }>(
      `select quote_ident(collname) as collation from pg_collation
       where collname in ('C', 'POSIX', 'default', 'ucs_basic', 'C.utf8', 'C.UTF-8', 'en_US.utf8', 'en_US', 'de_DE.utf8',
                          'und-x-icu', 'en-x-icu', 'en-US-x-icu', 'de-x-icu', 'sv-x-icu', 'ja-x-icu')`,
    );
    expect(rows.map((r) => r.collation)).toContain('"default"');
    for (const { collation } of rows)
      expect({ collation, n: await disagreements(collation, keys) }).toEqual({ collation, n: 0 });
  });

  it("and the check notices a collation that breaks the claim (ICU numeric ordering)", async () => {
    const { rows } = await sqlPool(t.db).query<{ n: number }>(
      `select count(*)::int as n from pg_collation where collprovider = 'i'`,
    );
    if (rows[0]!.n === 0) return; // a server built without ICU has no such collation either
    await sqlPool(t.db).query(
      `create collation if not exists digits_numeric (provider = icu, locale = 'und-u-kn-true')`,
    );
    expect(await disagreements("digits_numeric", ["9", "10"])).toBeGreaterThan(0);
  });
});

describe("wantedKeyRanges", () => {
  it("covers exactly the keys whose segment is wanted (byte order), adjacent segments merged", () => {
    const keys = [...AWKWARD, ...digitStrings(400, 11)];
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
  const mine = AWKWARD;
  const others = ["0002", "15", "1900000000000000005", "8"];

  beforeAll(async () => {
    const posts = (ids: string[], seed: number) =>
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
});
