// Key-by-key comparison of expected rows (ingest items) with what the server
// stores, read back through the API (cutover.rowsByKeys) in the same item
// shape: a row is missing when the server has no row under its key, and
// mismatched when any field differs (an older version, a lost update).
import type Database from "better-sqlite3";
import { syncTables, type SyncTable } from "../../src/shared/schemas/tables";
import type { ServerCalls } from "../../src/collector/uplink/server-calls";
import { serverClientOver } from "../../src/collector/uplink/server-client";
import { fetchServerRows } from "../../src/collector/cutover/server-rows";
import { rowToItem } from "../../src/collector/store/items";

export type Comparison = { rows: number; missing: number; mismatched: number; examples: string[] };

/** A value of a parsed item or a stored row in one form: times as ISO with milliseconds, a parsed vector (a Float32Array) as the numbers the server answers with. */
export const normaliseStoredValue = (v: unknown) =>
  v instanceof Float32Array
    ? Array.from(v)
    : typeof v === "string" && /^\d{4}-\d{2}-\d{2}T/.test(v)
      ? new Date(v).toISOString()
      : v;

export async function compareWithServer(
  api: ServerCalls,
  table: SyncTable,
  expected: Iterable<Record<string, unknown>>,
  /** Read this collector's rows of the tables the collectors own. */
  collector?: string,
): Promise<Comparison> {
  const keyField = syncTables[table].key;
  const items = [...expected];
  const out: Comparison = { rows: items.length, missing: 0, mismatched: 0, examples: [] };
  // Chunked by encoded length as the cutover's own checks do: the keys travel in the URL.
  const byKey = await fetchServerRows(
    serverClientOver(api, { maxAttempts: 1 }),
    table,
    items.map((r) => String(r[keyField])),
    collector,
  );
  for (const item of items) {
    const key = String(item[keyField]);
    const parsed = syncTables[table].schema.parse(item) as Record<string, unknown>;
    const server = byKey.get(key);
    if (!server) {
      out.missing++;
      if (out.examples.length < 5) out.examples.push(`${table} ${key}: missing`);
      continue;
    }
    const differing = Object.keys(server).filter(
      (f) =>
        JSON.stringify(normaliseStoredValue(server[f])) !== JSON.stringify(normaliseStoredValue(parsed[f] ?? null)),
    );
    if (differing.length > 0) {
      out.mismatched++;
      if (out.examples.length < 5) out.examples.push(`${table} ${key}: ${differing.join(", ")} differ`);
    }
  }
  return out;
}

/** Every row of one mirrored table of a collector's SQLite file, as ingest items, in key order. */
export function readItems(db: Database.Database, table: SyncTable): Record<string, unknown>[] {
  const { sqlite, key } = syncTables[table];
  return (db.prepare(`select * from ${sqlite} order by ${key}`).all() as Record<string, unknown>[]).map(
    (row) => rowToItem(table, row) as Record<string, unknown>,
  );
}

/** Rows per server table, straight from PostgreSQL. */
export async function serverCount(
  db: { $queryRawUnsafe: <T>(sql: string) => Promise<T> },
  table: SyncTable,
): Promise<number> {
  const rows = await db.$queryRawUnsafe<{ n: number }[]>(
    `select count(*)::int as n from "${syncTables[table].server}"`,
  );
  return rows[0]!.n;
}
