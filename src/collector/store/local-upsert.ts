// The store's writes of mirrored rows, derived from the table catalog. Every
// write stamps `updated_at` only when a row really changed, because the
// server mirrors rows by "updated_at >= since": a rewrite of identical data
// would otherwise be shipped again on every run.
import { perTable, tableCatalog, type SyncTable, type TableSpec } from "~/shared/table-catalog";
import { rowEncoderFor } from "./items";
import type { StoreContext } from "./sqlite-store";

/** The contract's change stamp: set by the store on every real change, never compared. */
const CHANGE_STAMP = "updated_at";

/** Which rows an upsert created and which it changed; the rest were identical. */
export type UpsertResult = { inserted: string[]; updated: string[]; unchanged: number };

/**
 * INSERT … ON CONFLICT DO UPDATE over every column that touches the row (and
 * its updated_at) only when an updatable column differs. Columns the catalog
 * marks keepFirst (created_at, collected_at, …) keep the first write's
 * value; in a nullKeepsStored table a NULL keeps the stored value; times
 * compare as instants, since legacy rows may hold the same instant without
 * milliseconds.
 */
export function localUpsertSql(spec: TableSpec): string {
  const table = spec.sqlite;
  const updatable = Object.entries(spec.columns)
    .filter(([name, col]) => name !== spec.key && name !== CHANGE_STAMP && !col.keepFirst)
    .map(([name, col]) => ({
      name,
      keepOldWhenNull: spec.nullKeepsStored === true && col.nullable === true,
      sameInstant: col.type === "timestamptz",
    }));
  const set = updatable.map((c) =>
    c.keepOldWhenNull
      ? `${c.name} = coalesce(excluded.${c.name}, ${table}.${c.name})`
      : `${c.name} = excluded.${c.name}`,
  );
  const differs = updatable.map((c) => {
    const old = c.sameInstant ? `julianday(${table}.${c.name})` : `${table}.${c.name}`;
    const neu = c.sameInstant ? `julianday(excluded.${c.name})` : `excluded.${c.name}`;
    return c.keepOldWhenNull ? `(excluded.${c.name} IS NOT NULL AND ${old} IS NOT ${neu})` : `${old} IS NOT ${neu}`;
  });
  return `${localInsertSql(spec)}
    ON CONFLICT(${spec.key}) DO UPDATE SET ${set.join(", ")}, ${CHANGE_STAMP} = excluded.${CHANGE_STAMP}
    WHERE ${differs.join(" OR ")}`;
}

/** A plain INSERT of every column (a conflict is an error). */
export function localInsertSql(spec: TableSpec): string {
  const names = Object.keys(spec.columns);
  return `INSERT INTO ${spec.sqlite} (${names.join(", ")}) VALUES (${names.map((c) => `@${c}`).join(", ")})`;
}

const statements = perTable((spec) => ({ upsert: localUpsertSql(spec), encode: rowEncoderFor(spec) }));

/** Upserts items (in the wire shape) in one transaction, telling inserted, updated and unchanged apart. */
export function upsertItems(
  store: StoreContext,
  table: SyncTable,
  items: readonly Record<string, unknown>[],
): UpsertResult {
  const { sqlite, key } = tableCatalog[table];
  const { upsert, encode } = statements[table];
  const exists = store.db.prepare(`SELECT 1 FROM ${sqlite} WHERE ${key} = ?`).pluck();
  const write = store.db.prepare(upsert);
  return store.transaction(() => {
    const result: UpsertResult = { inserted: [], updated: [], unchanged: 0 };
    for (const item of items) {
      const id = String(item[key]);
      const existed = exists.get(id) !== undefined;
      const changes = write.run(encode(item)).changes;
      if (!existed) result.inserted.push(id);
      else if (changes > 0) result.updated.push(id);
      else result.unchanged++;
    }
    return result;
  });
}
