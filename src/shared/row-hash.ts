// Content reconcile (collector reconcile --deep): which columns a row's hash
// covers and how keys are ordered, shared by the server's SQL and the
// collector's SQLite scan so both sides hash and cut segments identically.
//
// A row's hash is md5 over PostgreSQL's binary record encoding
// (record_send) of (key, content columns) in the catalog's order; the
// collector rebuilds the same bytes from its SQLite values
// (src/collector/deep/row-hash.ts). Its first 52 bits are the row's hash; a
// segment's checksum is the sum of its rows' hashes modulo 2^52 (exact in a
// JavaScript number, and in PostgreSQL's numeric sum).
import {
  isCollectorOwned,
  serverColumnOf,
  syncTableNames,
  tableCatalog,
  type SqlType,
  type SyncTable,
} from "./table-catalog";

/** Segment checksums add row hashes modulo this (2^52). */
export const HASH_MODULUS = 4_503_599_627_370_496;

/**
 * Tables whose rows several collectors may push (one row per status id, the
 * newest version wins): their first-seen columns (`keepFirst`: when and by
 * which run this collector first saw the row) are the pushing collector's
 * observation, not the row's content, and stay out of the hash.
 */
export const SHARED_TABLES: readonly SyncTable[] = syncTableNames.filter(
  (table) => !isCollectorOwned(tableCatalog[table]),
);

export type HashColumn = { wire: string; server: string; type: SqlType };

function hashColumnsFor(table: SyncTable): HashColumn[] {
  const spec = tableCatalog[table];
  const shared = SHARED_TABLES.includes(table);
  return Object.entries(spec.columns as Record<string, { type: SqlType; server?: string; keepFirst?: true }>)
    .filter(([, col]) => !(shared && col.keepFirst))
    .map(([wire, col]) => ({ wire, server: serverColumnOf(wire, col), type: col.type }));
}

/** The hashed columns of each table, key first (the catalog lists it first), in the catalog's order. */
export const hashColumns = Object.fromEntries(
  (Object.keys(tableCatalog) as SyncTable[]).map((table) => [table, hashColumnsFor(table)]),
) as Record<SyncTable, HashColumn[]>;

/** A UTF-16 code unit's rank in code point order (surrogates after U+E000–U+FFFF). */
function codePointRank(unit: number): number {
  if (unit >= 0xd800 && unit <= 0xdfff) return unit + 0x2000;
  if (unit >= 0xe000) return unit - 0x800;
  return unit;
}

/**
 * Keys in byte order of their UTF-8 (= code point order): SQLite's BINARY
 * collation and PostgreSQL's `collate "C"`, which both sides sort by.
 */
export function compareKeys(a: string, b: string): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a.charCodeAt(i);
    const y = b.charCodeAt(i);
    if (x !== y) return codePointRank(x) - codePointRank(y);
  }
  return a.length - b.length;
}

/** The segment (0..bounds.length) a key falls in: the number of bounds at or below it (PostgreSQL's width_bucket). */
export function bucketOf(key: string, bounds: readonly string[]): number {
  let lo = 0;
  let hi = bounds.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (compareKeys(bounds[mid]!, key) <= 0) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
