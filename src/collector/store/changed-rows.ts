// Reading the mirrored tables for sync: rows changed since a time, page by
// page in (updated_at, key) order, and counts by each table's source time.
import { syncTables, type SyncTable } from "~/shared/schemas/tables";
import { toIsoMs } from "../util/time";
import { rowToItem, type ItemOf } from "./items";
import type { StoreContext } from "./sqlite-store";

/** Timestamps of every row we write compare as text; `since` is compared by instant. */
const sinceClause = (column: string) => `julianday(${column}) >= julianday(@since)`;

/** Where a page of changed rows ended: its last row's julianday(updated_at) and key. */
export type ChangedCursor = { day: number; key: string };

/**
 * One page of rows changed since a time, in (updated_at, key) order, read
 * completely: no statement stays open while the caller awaits (a push in
 * flight), so other writers of this connection are never blocked by it and
 * a failed push cannot leave it busy. `next` continues after the page.
 */
export function readChangedPage<T extends SyncTable>(
  store: StoreContext,
  table: T,
  sinceIso: string | undefined,
  after: ChangedCursor | null,
  limit: number,
): { items: ItemOf[T][]; next: ChangedCursor | null } {
  const { sqlite, key } = syncTables[table];
  const conditions = [
    ...(sinceIso === undefined ? [] : [sinceClause("updated_at")]),
    ...(after
      ? [`(julianday(updated_at) > @afterDay OR (julianday(updated_at) = @afterDay AND ${key} > @afterKey))`]
      : []),
  ];
  const rows = store.db
    .prepare(
      `SELECT *, julianday(updated_at) AS _changed_day FROM ${sqlite} ${conditions.length ? `WHERE ${conditions.join(" AND ")}` : ""} ORDER BY julianday(updated_at), ${key} LIMIT @limit`,
    )
    .all({
      limit,
      ...(sinceIso === undefined ? {} : { since: toIsoMs(sinceIso) }),
      ...(after ? { afterDay: after.day, afterKey: after.key } : {}),
    }) as Record<string, unknown>[];
  const last = rows.at(-1);
  return {
    items: rows.map(({ _changed_day: _, ...row }) => rowToItem(table, row)),
    next: last ? { day: last._changed_day as number, key: last[key] as string } : null,
  };
}

/** Rows whose source time (syncTables[table].sinceColumn) is at or after `sinceIso`; the server counts by the same rule. */
export function countSince(store: StoreContext, table: SyncTable, sinceIso: string | undefined): number {
  const { sqlite, sinceColumn } = syncTables[table];
  if (sinceIso === undefined) return store.db.prepare(`SELECT count(*) FROM ${sqlite}`).pluck().get() as number;
  return store.db
    .prepare(`SELECT count(*) FROM ${sqlite} WHERE ${sinceClause(sinceColumn)}`)
    .pluck()
    .get({ since: toIsoMs(sinceIso) }) as number;
}
