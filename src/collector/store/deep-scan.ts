// The collector's side of content reconcile: one table's rows in key order
// (SQLite's BINARY collation, the server's collate "C"), within a key range
// and a "since" window, streamed with iterate() so memory stays bounded
// however large the file. Either keys only (to cut segments) or each row's
// key, content hash and source updated_at.
import { hashColumns } from "~/shared/row-hash";
import { tableCatalog, type SyncTable } from "~/shared/table-catalog";
import { rowHasherFor } from "../deep/row-hash";
import { toIsoMs } from "../util/time";
import { rowToItem, type ItemOf } from "./items";
import type { StoreContext } from "./sqlite-store";

/** Which rows: source time (the table's since column) at or after `since`, key in [from, to). */
export type ScanRange = { since?: string | undefined; from?: string | null; to?: string | null };

export type HashedRow = { key: string; hash: number; updatedAt: number };

function where(table: SyncTable, range: ScanRange): { sql: string; params: Record<string, string> } {
  const { key, sinceColumn } = tableCatalog[table];
  const conditions: string[] = [];
  const params: Record<string, string> = {};
  if (range.since !== undefined) {
    conditions.push(`julianday(${sinceColumn}) >= julianday(@since)`);
    params.since = toIsoMs(range.since);
  }
  if (range.from != null) {
    conditions.push(`${key} >= @from`);
    params.from = range.from;
  }
  if (range.to != null) {
    conditions.push(`${key} < @to`);
    params.to = range.to;
  }
  return { sql: conditions.length ? `WHERE ${conditions.join(" AND ")}` : "", params };
}

/** Keys in order. */
export function* scanKeys(store: StoreContext, table: SyncTable, range: ScanRange): Generator<string> {
  const { sqlite, key } = tableCatalog[table];
  const { sql, params } = where(table, range);
  const statement = store.db.prepare(`SELECT ${key} FROM ${sqlite} ${sql} ORDER BY ${key}`).pluck();
  yield* statement.iterate(params) as Iterable<string>;
}

const hashers = new Map<SyncTable, (values: readonly unknown[]) => number>();

/** The statement reading a range's hashed columns (key first), then updated_at if asked, in key order, and the table's hasher. */
function hashedRowsStatement(store: StoreContext, table: SyncTable, range: ScanRange, withUpdatedAt: boolean) {
  const { sqlite, key } = tableCatalog[table];
  const columns = hashColumns[table].map((col) => col.wire);
  if (columns[0] !== key) throw new Error(`table catalog: ${table}'s key ${key} must be its first column`);
  const { sql, params } = where(table, range);
  const statement = store.db
    .prepare(`SELECT ${columns.join(", ")}${withUpdatedAt ? ", updated_at" : ""} FROM ${sqlite} ${sql} ORDER BY ${key}`)
    .raw();
  let hasher = hashers.get(table);
  if (!hasher) hashers.set(table, (hasher = rowHasherFor(table)));
  return { rows: statement.iterate(params) as Iterable<unknown[]>, hasher, updatedAtIndex: columns.length };
}

/** Rows in key order with their content hash (computed as the server does) and source updated_at in epoch ms. */
export function* scanHashedRows(store: StoreContext, table: SyncTable, range: ScanRange): Generator<HashedRow> {
  const { rows, hasher, updatedAtIndex } = hashedRowsStatement(store, table, range, true);
  for (const values of rows) {
    yield { key: values[0] as string, hash: hasher(values), updatedAt: Date.parse(values[updatedAtIndex] as string) };
  }
}

/**
 * Each row's key and content hash in key order, handed to `visit`: the segment checksums read
 * every row of the file, so no object per row and no updated_at parsed (only leaves need it).
 * One iterate() over the range: reading pages with all() cost a few percent less CPU but
 * ~15 MB more peak RSS (each page's rows outlive the young generation; docs/benchmarks.md).
 */
export function forEachRowHash(
  store: StoreContext,
  table: SyncTable,
  range: ScanRange,
  visit: (key: string, hash: number) => void,
): void {
  const { rows, hasher } = hashedRowsStatement(store, table, range, false);
  for (const values of rows) visit(values[0] as string, hasher(values));
}

/**
 * About `count` keys spread evenly over the table's rows, in no particular order: one rowid
 * lookup each (SQLite tables here all have a rowid) instead of reading every key.
 */
export function sampleKeys(store: StoreContext, table: SyncTable, count: number): string[] {
  const { sqlite, key } = tableCatalog[table];
  const span = store.db.prepare(`SELECT min(rowid) AS lo, max(rowid) AS hi FROM ${sqlite}`).get() as {
    lo: number | null;
    hi: number | null;
  };
  if (span.lo === null || span.hi === null) return [];
  const at = store.db.prepare(`SELECT ${key} FROM ${sqlite} WHERE rowid >= ? ORDER BY rowid LIMIT 1`).pluck();
  const keys: string[] = [];
  for (let i = 0; i < count; i++) {
    const found = at.get(span.lo + Math.floor((i * (span.hi - span.lo + 1)) / count)) as string | undefined;
    if (found !== undefined) keys.push(found);
  }
  return keys;
}

/** Rows in the range. */
export function countRange(store: StoreContext, table: SyncTable, range: ScanRange): number {
  const { sqlite } = tableCatalog[table];
  const { sql, params } = where(table, range);
  return store.db.prepare(`SELECT count(*) FROM ${sqlite} ${sql}`).pluck().get(params) as number;
}

/** One page of keys in the range after `after`, read completely (no statement stays open across an await). */
export function readKeyPage(
  store: StoreContext,
  table: SyncTable,
  range: ScanRange,
  after: string | null,
  limit: number,
): string[] {
  const { sqlite, key } = tableCatalog[table];
  const { sql, params } = where(table, range);
  const next = after === null ? "" : `${sql ? " AND" : "WHERE"} ${key} > @after`;
  return store.db
    .prepare(`SELECT ${key} FROM ${sqlite} ${sql}${next} ORDER BY ${key} LIMIT @limit`)
    .pluck()
    .all({ ...params, ...(after === null ? {} : { after }), limit }) as string[];
}

/** The stored rows of these keys, as ingest items (what a push sends). */
export function readItemsByKeys<T extends SyncTable>(
  store: StoreContext,
  table: T,
  keys: readonly string[],
): ItemOf[T][] {
  const { sqlite, key } = tableCatalog[table];
  const statement = store.db.prepare(`SELECT * FROM ${sqlite} WHERE ${key} = ?`);
  return keys.flatMap((k) => {
    const row = statement.get(k) as Record<string, unknown> | undefined;
    return row ? [rowToItem(table, row)] : [];
  });
}
