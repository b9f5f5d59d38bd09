// Field-by-field comparison of a local item with the server's copy of it.
// Both sides are brought to one form first: the local item through its
// shared zod schema (0/1 → boolean, defaults), times to
// instants (SQLite may hold '…:12Z', the server answers '…:12.000Z'), and
// JSON arrays as arrays. What still differs is a real difference.
import { postViewFields, viewToItem } from "~/shared/post-view";
import { hashColumns, SHARED_TABLES } from "~/shared/row-hash";
import { syncTables, type SyncTable } from "~/shared/schemas/tables";

export type FieldDiff = { field: string; local: unknown; server: unknown };

const TIME_FIELD = /(_at|^window_start|^window_end|^detected_at)$/;

/** A vector parsed from the wire is a Float32Array (decisions/018): compared and shown as its numbers. */
const plain = (value: unknown): unknown => (value instanceof Float32Array ? Array.from(value) : value);

function normaliseValue(field: string, value: unknown): unknown {
  if (value === undefined || value === null) return null;
  if (value instanceof Float32Array) return plain(value);
  if (typeof value === "string" && TIME_FIELD.test(field)) {
    const t = Date.parse(value);
    return Number.isFinite(t) ? t : value;
  }
  if (typeof value === "string" && value.startsWith("[") && /(_ids|^vector)$/.test(field)) {
    try {
      return JSON.parse(value) as unknown;
    } catch {
      return value;
    }
  }
  return value;
}

function same(a: unknown, b: unknown): boolean {
  if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((v, i) => same(v, b[i]));
  if (typeof a === "number" && typeof b === "number") return a === b || (Number.isNaN(a) && Number.isNaN(b));
  return a === b;
}

/** The local item as the server would store it (schema-parsed), or the raw item when it does not parse. */
export function parseLocalItem(
  table: SyncTable,
  item: unknown,
): { ok: true; item: Record<string, unknown> } | { ok: false; item: Record<string, unknown>; reason: string } {
  const parsed = syncTables[table].schema.safeParse(item);
  if (parsed.success) return { ok: true, item: parsed.data };
  const reason = parsed.error.issues
    .slice(0, 3)
    .map((i) => `${i.path.join(".") || "item"}: ${i.message}`)
    .join("; ");
  return { ok: false, item: (item ?? {}) as Record<string, unknown>, reason: `invalid ${table} item: ${reason}` };
}

/** Fields of the local item whose value the server holds differently. */
export function diffFields(localItem: Record<string, unknown>, serverRow: Record<string, unknown>): FieldDiff[] {
  const diffs: FieldDiff[] = [];
  for (const field of Object.keys(localItem)) {
    const local = normaliseValue(field, localItem[field]);
    const server = normaliseValue(field, serverRow[field]);
    if (!same(local, server))
      diffs.push({ field, local: plain(localItem[field]) ?? null, server: serverRow[field] ?? null });
  }
  return diffs;
}

/** The REST post view (GET /api/v1/posts/{statusId}) back in the item shape. */
export function postViewToItem(view: Record<string, unknown>): Record<string, unknown> {
  return viewToItem(postViewFields, view);
}

/** Whether the server would take `local` over `stored`: the same rule as its upsert (newer or equal source time, and something differs). */
export function wouldUpdate(local: Record<string, unknown>, stored: Record<string, unknown>): boolean {
  const localAt = Date.parse(String(local.updated_at));
  const storedAt = Date.parse(String(stored.updated_at));
  if (localAt < storedAt) return false;
  return diffFields(local, stored).length > 0;
}

/**
 * A shared row (posts, embeddings: one row per key for every collector) the
 * server holds in a newer version than this collector's: another collector
 * pushed it later, and the newest version wins. The content reconcile counts
 * these apart the same way (decision 013).
 */
export function newerOnServer(
  table: SyncTable,
  local: Record<string, unknown>,
  server: Record<string, unknown>,
): boolean {
  if (!SHARED_TABLES.includes(table)) return false;
  return Date.parse(String(server.updated_at)) > Date.parse(String(local.updated_at));
}

/**
 * What a spot check compares of a local item. For a shared row that is its
 * content: the first-seen columns (when and by which run a collector first
 * saw it) are each collector's own observation, and the server keeps one
 * collector's (the row hash leaves them out for the same reason).
 */
export function contentOf(table: SyncTable, item: Record<string, unknown>): Record<string, unknown> {
  if (!SHARED_TABLES.includes(table)) return item;
  return Object.fromEntries(hashColumns[table].filter((c) => c.wire in item).map((c) => [c.wire, item[c.wire]]));
}
