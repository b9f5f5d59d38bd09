// The key ranges a deeper content-reconcile call asks about, so the server
// reads only those keys of collector_pushes through its primary key instead
// of every key the collector pushed (docs/decisions/021).
//
// Segments are cut in byte order (width_bucket over keys collate "C"); the
// primary key's index is in the database's collation. The two agree on
// strings of decimal digits alone: every collation PostgreSQL may use gives
// the ten digits ascending weights and no ignorable characters, and a
// proper prefix sorts first, which is byte order. test/deep-key-ranges.test.ts
// proves it against the server's own collation. So the ranges are used only
// for tables whose key is a status id (digits only: the item schema refuses
// anything else) and only when every bound is digits too; otherwise, and for
// the whole key space, the statement scans the collector's keys as before.
import { statusId } from "~/shared/schemas/primitives";
import { isCollectorOwned, tableCatalog, type SyncTable } from "~/shared/table-catalog";

/**
 * Shared tables (scoped through collector_pushes) whose key is a status id:
 * the tables whose deeper rounds read key ranges.
 */
export const DIGIT_KEY_TABLES: readonly SyncTable[] = (Object.keys(tableCatalog) as SyncTable[]).filter((table) => {
  const spec = tableCatalog[table];
  const keyColumn = (spec.columns as Record<string, { schema: unknown }>)[spec.key];
  return !isCollectorOwned(spec) && keyColumn?.schema === statusId;
});

/**
 * Ranges of keys [lo[i], hi[i]) and one open range [tail, ∞) (null: none).
 * The first range starts at "" when segment 0 is wanted: every string sorts at or after it.
 */
export type KeyRanges = { lo: string[]; hi: string[]; tail: string | null };

const DIGITS = /^[0-9]+$/;

/**
 * The wanted segments of `bounds` as key ranges (adjacent segments merged), or null when they
 * cannot or need not be read as ranges: a table whose keys are not all digits, a bound that is
 * not digits (its byte order may differ from the index's), or every segment wanted (one scan of
 * the collector's keys reads no more, merge-joined).
 */
export function wantedKeyRanges(
  table: SyncTable,
  bounds: readonly string[],
  segments: readonly number[],
): KeyRanges | null {
  if (!DIGIT_KEY_TABLES.includes(table) || !bounds.every((b) => DIGITS.test(b))) return null;
  // width_bucket gives 0..bounds.length; any other index names no rows.
  const wanted = [...new Set(segments)].filter((s) => s <= bounds.length).sort((a, b) => a - b);
  if (wanted.length === bounds.length + 1) return null;
  const ranges: KeyRanges = { lo: [], hi: [], tail: null };
  for (let i = 0; i < wanted.length;) {
    let last = i;
    while (last + 1 < wanted.length && wanted[last + 1] === wanted[last]! + 1) last++;
    const first = wanted[i]!;
    const end = wanted[last]!;
    const lo = first === 0 ? "" : bounds[first - 1]!;
    if (end === bounds.length) ranges.tail = lo;
    else {
      ranges.lo.push(lo);
      ranges.hi.push(bounds[end]!);
    }
    i = last + 1;
  }
  return ranges;
}
