// The key ranges a deeper content-reconcile call asks about, so the server
// reads only those keys of collector_pushes through its primary key instead
// of every key the collector pushed (docs/decisions/021).
//
// Segments are cut in byte order (width_bucket over keys collate "C"); the
// primary key's index is in the database's collation. The two agree on
// strings of decimal digits alone: every collation PostgreSQL may use gives
// the ten digits ascending weights and no ignorable characters, and a
// proper prefix sorts first, which is byte order. The one known departure is
// ICU's numeric ordering ("-u-kn", "9" before "10"), which a database could be
// created with: the service probes the index's collation once per process
// (digitsOrderAsBytes) and scans as before if it departs anywhere.
// test/deep-key-ranges.test.ts proves the claim against the server's own
// collations. The ranges are used only for tables whose key is a status id
// (digits only: the item schema refuses anything else) and only when every
// bound is digits too; otherwise, and for the whole key space, the statement
// scans the collector's keys as before.
import { statusId } from "~/shared/schemas/primitives";
import { sqlPool, type Db } from "../db";
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

/** Status ids as awkward as the schema allows: 1 to 20 digits, leading zeros, prefixes of each other. */
export const DIGIT_ORDER_PROBES: readonly string[] = [
  ...["", "0", "00", "000", "0000000000000000000", "00000000000000000000", "01", "001", "010", "007", "07", "7"],
  ...["70", "1", "10", "100", "1000", "11", "19", "190", "2", "20", "9", "90", "99", "999", "0999", "9990"],
  ...["18446744073709551615", "18446744073709551616", "99999999999999999999", "10000000000000000000"],
  ...["9999999999999999999", "1900000000000000001", "1900000000000000010", "190000000000000001", "3800000000000000001"],
  ...["12345678901234567890", "1234567890123456789", "123456789012345678", "5", "50", "500", "05", "005"],
];

/**
 * Counts the ordered pairs of $1 (text[]) on which `collation` (a quoted identifier) and byte
 * order disagree about "<" or "=".
 */
export function orderDisagreementsSql(collation: string): string {
  return `
select count(*)::int as n
from unnest($1::text[]) a(k), unnest($1::text[]) b(k)
where (a.k collate ${collation} < b.k collate ${collation}) <> (a.k collate "C" < b.k collate "C")
   or (a.k collate ${collation} = b.k collate ${collation}) <> (a.k collate "C" = b.k collate "C")`;
}

/** The collation of collector_pushes' key, which its primary key's index orders by, as a quoted identifier. */
export const pushesKeyCollationSql = `
select quote_ident(c.collname) as collation
from pg_attribute a join pg_collation c on c.oid = a.attcollation
where a.attrelid = 'collector_pushes'::regclass and a.attname = 'key'`;

const probed = new WeakMap<Db, Promise<boolean>>();

/**
 * Whether collector_pushes' key orders the probe strings as bytes do: asked once per process
 * (a database's collation does not change under it). A failed probe is not kept: the caller
 * scans whole meanwhile, which is always exact.
 */
export function digitsOrderAsBytes(db: Db): Promise<boolean> {
  let answer = probed.get(db);
  if (!answer) {
    answer = (async () => {
      const pool = sqlPool(db);
      const { rows } = await pool.query<{ collation: string }>(pushesKeyCollationSql);
      const collation = rows[0]?.collation;
      if (!collation) return false;
      const { rows: counted } = await pool.query<{ n: number }>(orderDisagreementsSql(collation), [DIGIT_ORDER_PROBES]);
      return counted[0]?.n === 0;
    })().catch(() => {
      probed.delete(db);
      return false;
    });
    probed.set(db, answer);
  }
  return answer;
}
