// The set-based SQL of content reconcile: per segment of the key space a row
// count and a checksum of row hashes, and the row hashes of a few segments,
// over one collector's rows. Keys compare in byte order (collate "C"), as
// SQLite's BINARY collation does on the collector; row hashes are md5 over
// record_send of the columns in src/shared/row-hash.ts.
import { hashColumns } from "~/shared/row-hash";
import { perTable, tableCatalog, type SyncTable } from "~/shared/table-catalog";
import { collectorScope, type KeyRangeParams } from "../provenance/collector-scope";
import { DIGIT_KEY_TABLES } from "./key-ranges";

const q = (name: string) => `"${name}"`;

/**
 * The rows of `table` a collector answers for, as a relation with the
 * table's columns plus "_since" (the time a window filters on).
 * `collectorParam` is the SQL parameter holding the collector's name.
 * Provenance decides (docs/decisions/012): the owned tables by their
 * collector column, posts and embeddings through collector_pushes (joined to
 * the stored row, "_since" as this collector pushed it). Every statement
 * below reads rows through this one function. With `ranges`, only the keys in them
 * (src/server/reconcile/key-ranges.ts).
 */
export function collectorScopeSql(table: SyncTable, collectorParam: string, ranges?: KeyRangeParams): string {
  const scope = collectorScope(table, `${collectorParam}::text`, ranges);
  return `(select t.*, ${scope.sinceExpr} as "_since" from ${scope.from} where ${scope.where})`;
}

/**
 * Tables whose rows carry their hash in a generated column, "row_hash" (migration row_hash,
 * docs/decisions/020): the largest ones, whose every row a collector's reconcile reads.
 * The column's expression is computedRowHashSql over the same columns;
 * test/deep-hash-agreement.test.ts holds the two equal.
 */
export const STORED_HASH_TABLES: readonly SyncTable[] = ["posts", "embeddings"];

/** A row's hash computed from its columns: the first 52 bits of md5(record_send(row(key, content…))). */
export function computedRowHashSql(table: SyncTable, alias: string): string {
  const columns = hashColumns[table].map((col) => `${alias}.${q(col.server)}`).join(", ");
  return `('x' || substr(md5(record_send(row(${columns}))), 1, 13))::bit(52)::int8`;
}

/** A row's hash: its stored column where the table has one, else computed. */
export function rowHashSql(table: SyncTable, alias: string): string {
  return STORED_HASH_TABLES.includes(table) ? `${alias}."row_hash"` : computedRowHashSql(table, alias);
}

/** With key ranges: the parameters after the statement's own, in order lo (text[]), hi (text[]), tail (text). */
function rangeParams(first: number): KeyRangeParams {
  return { lo: `$${first}`, hi: `$${first + 1}`, tail: `$${first + 2}` };
}

/**
 * Parameters: $1 collector, $2 since (timestamptz or null), $3 bounds
 * (text[]), $4 wanted segments (int[]); `ranged`: then $5–$7, the wanted
 * segments' key ranges (KeyRanges). One scan: each row's segment by
 * binary search over the bounds, hashed only when its segment is wanted.
 */
export function buildSegmentsSql(table: SyncTable, ranged = false): string {
  const key = q(tableCatalog[table].key);
  const scope = collectorScopeSql(table, "$1", ranged ? rangeParams(5) : undefined);
  if (STORED_HASH_TABLES.includes(table)) {
    // Two "offset 0" fences. The inner one reads the collector's (key, stored hash) pairs first:
    // without it PostgreSQL places every row of the table in its segment, every collector's.
    // The outer one computes each key's segment once (width_bucket steps through a text array to
    // reach each element it compares: the dearest step left) and makes the grouping a hash aggregate.
    return `
select h.segment, count(*)::int as count, (sum(h.hash) % 4503599627370496)::int8 as checksum
from (select width_bucket(r.key collate "C", $3::text[]) as segment, r.hash
      from (select t.${key} as key, t."row_hash" as hash
            from ${scope} t
            where $2::timestamptz is null or t."_since" >= $2::timestamptz
            offset 0) r
      offset 0) h
where h.segment = any($4::int[])
group by h.segment
order by h.segment`;
  }
  // "offset 0" keeps the hash inside the scan: grouping then carries (segment, hash), not whole rows
  // (without it PostgreSQL sorted every row's columns to disk, 10x slower at a million posts).
  return `
select h.segment, count(*)::int as count, (sum(h.hash) % 4503599627370496)::int8 as checksum
from (select s.segment, ${rowHashSql(table, "s")} as hash
      from (select width_bucket(t.${key} collate "C", $3::text[]) as segment, t.*
            from ${scope} t
            where $2::timestamptz is null or t."_since" >= $2::timestamptz) s
      where s.segment = any($4::int[])
      offset 0) h
group by h.segment
order by h.segment`;
}

/**
 * Parameters as buildSegmentsSql, then $5 after (text or null), $6 limit: rows of the wanted
 * segments in key order; `ranged`: then $7–$9, their key ranges.
 */
export function buildRowHashesSql(table: SyncTable, ranged = false): string {
  const key = q(tableCatalog[table].key);
  return `
select s.${key} as key, ${rowHashSql(table, "s")} as hash,
       (extract(epoch from s."source_updated_at") * 1000)::int8 as updated_at
from (select width_bucket(t.${key} collate "C", $3::text[]) as segment, t.*
      from ${collectorScopeSql(table, "$1", ranged ? rangeParams(7) : undefined)} t
      where ($2::timestamptz is null or t."_since" >= $2::timestamptz)
        and ($5::text is null or t.${key} collate "C" > $5::text)) s
where s.segment = any($4::int[])
order by s.${key} collate "C"
limit $6`;
}

export const segmentsSql = perTable((_spec, table) => buildSegmentsSql(table));
export const rowHashesSql = perTable((_spec, table) => buildRowHashesSql(table));

/** The same statements reading only the wanted segments' key ranges: for DIGIT_KEY_TABLES. */
const ranged = (build: (table: SyncTable, ranged: boolean) => string) =>
  Object.fromEntries(DIGIT_KEY_TABLES.map((table) => [table, build(table, true)])) as Partial<
    Record<SyncTable, string>
  >;
export const segmentsInRangesSql = ranged(buildSegmentsSql);
export const rowHashesInRangesSql = ranged(buildRowHashesSql);
