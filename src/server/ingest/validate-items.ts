// Per-item validation of one batch: schema checks, the caller's table
// permissions, times ahead of the server clock, and duplicate keys inside
// the batch. Every item either becomes a row to upsert or a reject with a
// reason; nothing is dropped. A row to upsert carries its anomalies (values
// the contract allows but X would never issue: decisions/014) in the
// server-only `anomalies` column.
import type { z } from "zod";
import { anomaliesOf } from "~/shared/anomalies";
import { isoTimeMs } from "~/shared/schemas/primitives";
import { syncTableNames, syncTables, type SyncTable } from "~/shared/schemas/tables";
import { ANOMALIES_COLUMN, type TableSpec } from "~/shared/table-catalog";
import type { Role } from "../auth/principal";

export type ItemReject = { table: SyncTable; index: number; key: string | null; reason: string; rawItem: unknown };
/**
 * A table's valid rows already written as binary COPY rows (the bulk path,
 * bulk-lines.ts): what the transaction needs of them without the rows themselves.
 */
export type StagedRows = {
  count: number;
  /** Rows that carry anomalies. */
  anomalies: number;
  /** The rows in COPY's binary format, without its header and trailer. */
  copyData: Buffer[];
};
export type ValidatedBatch = {
  rows: Record<SyncTable, Record<string, unknown>[]>;
  rejects: ItemReject[];
  received: Record<SyncTable, number>;
  /** Tables whose rows are staged rather than in `rows`. */
  staged?: Partial<Record<SyncTable, StagedRows>>;
};

/** Tables a role may not write, like a least-privilege database role. */
const deniedTables: Record<Role, readonly SyncTable[]> = {
  admin: [],
  ingest: ["watchAccounts", "embeddings"],
  reader: syncTableNames,
};

export function canWriteTable(role: Role, table: SyncTable): boolean {
  return !deniedTables[role].includes(table);
}

export function describeIngestAccess(principal: { role: Role; keyPrefix: string; collector: string | null }) {
  return {
    role: principal.role,
    keyPrefix: principal.keyPrefix,
    /** The one collector a bound key may act for; null: any. */
    collector: principal.collector,
    writableTables: syncTableNames.filter((t) => canWriteTable(principal.role, t)),
  };
}

export function keyOf(table: SyncTable, item: unknown): string | null {
  if (typeof item !== "object" || item === null) return null;
  const value = (item as Record<string, unknown>)[syncTables[table].key];
  return typeof value === "string" || typeof value === "number" ? String(value).slice(0, 200) : null;
}

/** A window's bounds describe a period (the current one ends in the future), not a moment something happened. */
const PERIOD_BOUNDS = new Set(["window_start", "window_end"]);

/** The fields of one table's item that record when something happened: its time columns. */
function timeFieldsOf(spec: TableSpec): string[] {
  return Object.entries(spec.columns)
    .filter(([name, col]) => col.type === "timestamptz" && !PERIOD_BOUNDS.has(name))
    .map(([name]) => name);
}

export const itemTimeFields = Object.fromEntries(
  syncTableNames.map((table) => [table, timeFieldsOf(syncTables[table])]),
) as Record<SyncTable, string[]>;

function formatAhead(ms: number): string {
  if (ms < 3_600_000) return `${Math.ceil(ms / 60_000)} min`;
  if (ms < 2 * 86_400_000) return `${(ms / 3_600_000).toFixed(1)} h`;
  return `${Math.round(ms / 86_400_000)} days`;
}

export type ClockLimit = { now: number; maxFutureSkewMs: number };

/**
 * Rows only move forward (a version replaces a row only when its updated_at
 * is newer), so a time far ahead of the clock would pin the row for good.
 * The first time past the allowed skew is the reject's reason, or null.
 */
function futureTimeProblem(table: SyncTable, row: Record<string, unknown>, clock: ClockLimit): string | null {
  for (const field of itemTimeFields[table]) {
    const value = row[field];
    if (typeof value !== "string") continue;
    const ahead = Date.parse(value) - clock.now;
    if (ahead > clock.maxFutureSkewMs) {
      return `${field} ${value} is ${formatAhead(ahead)} ahead of the server clock (at most ${Math.round(clock.maxFutureSkewMs / 1000)} s allowed): check the clock of the machine that produced this item`;
    }
  }
  return null;
}

function describeIssues(error: z.ZodError): string {
  return error.issues
    .slice(0, 3)
    .map((issue) => `${issue.path.length ? issue.path.join(".") : "item"}: ${issue.message}`)
    .join("; ");
}

/** Columns the catalog fills from the envelope (the pushing collector of a table the collectors own), per table. */
export function batchValuesOf(collector: string): Record<SyncTable, Record<string, unknown>> {
  const envelope: Record<string, unknown> = { collector };
  return Object.fromEntries(
    syncTableNames.map((table) => {
      const fromBatch = Object.keys((syncTables[table] as TableSpec).fromBatch ?? {});
      return [table, Object.fromEntries(fromBatch.map((name) => [name, envelope[name]]))];
    }),
  ) as Record<SyncTable, Record<string, unknown>>;
}

export const permissionDenied = (table: SyncTable): string => `permission denied for table ${syncTables[table].server}`;

/** One item of a table the caller may write: the row to merge (with its anomalies and batch columns), or why not. */
export function checkItem(
  table: SyncTable,
  item: unknown,
  clock: ClockLimit,
  batchValues: Record<string, unknown>,
): { row: Record<string, unknown>; reason?: undefined } | { reason: string; row?: undefined } {
  const parsed = syncTables[table].schema.safeParse(item);
  if (!parsed.success) return { reason: `invalid ${table} item: ${describeIssues(parsed.error)}` };
  const future = futureTimeProblem(table, parsed.data, clock);
  if (future) return { reason: future };
  return { row: { ...parsed.data, [ANOMALIES_COLUMN]: anomaliesOf(table, parsed.data), ...batchValues } };
}

/** A version's updated_at as the duplicate rule compares it (the item schemas' time reader: Date.parse's reading). */
export const updatedAtMs = (updatedAt: unknown): number => isoTimeMs(String(updatedAt));

/**
 * Two versions of one row in one batch: the one with the newest updated_at
 * (`timeOf`, in ms) is kept (the later one on a tie). Records `version` under
 * `key` when it wins and returns the version to reject, or null for a key
 * seen first.
 */
export function keepNewest<V>(
  newestByKey: Map<string, V>,
  key: string,
  version: V,
  timeOf: (version: V) => number,
): V | null {
  const previous = newestByKey.get(key);
  if (previous === undefined) {
    newestByKey.set(key, version);
    return null;
  }
  const keepNew = timeOf(version) >= timeOf(previous);
  if (keepNew) newestByKey.set(key, version);
  return keepNew ? previous : version;
}

export const duplicateReason = (table: SyncTable, key: string): string =>
  `duplicate ${syncTables[table].key} ${key} in this batch: the version with the newest updated_at was kept`;

export function validateBatchItems(
  batch: Record<SyncTable, unknown[]>,
  role: Role,
  extra: { collector: string; clock: ClockLimit },
): ValidatedBatch {
  const rows = {} as ValidatedBatch["rows"];
  const received = {} as ValidatedBatch["received"];
  const rejects: ItemReject[] = [];
  const batchValues = batchValuesOf(extra.collector);
  for (const table of syncTableNames) {
    const items = batch[table];
    received[table] = items.length;
    rows[table] = [];
    if (items.length === 0) continue;
    if (!canWriteTable(role, table)) {
      items.forEach((item, index) =>
        rejects.push({ table, index, key: keyOf(table, item), reason: permissionDenied(table), rawItem: item }),
      );
      continue;
    }
    const newestByKey = new Map<string, { index: number; updatedAt: unknown; row: Record<string, unknown> }>();
    items.forEach((item, index) => {
      const checked = checkItem(table, item, extra.clock, batchValues[table]);
      if (!checked.row) {
        rejects.push({ table, index, key: keyOf(table, item), reason: checked.reason, rawItem: item });
        return;
      }
      const { row } = checked;
      const key = String(row[syncTables[table].key]);
      const loser = keepNewest(newestByKey, key, { index, updatedAt: row.updated_at, row }, (v) =>
        updatedAtMs(v.updatedAt),
      );
      if (loser)
        rejects.push({
          table,
          index: loser.index,
          key,
          reason: duplicateReason(table, key),
          rawItem: items[loser.index],
        });
    });
    rows[table] = [...newestByKey.values()].map((v) => v.row);
  }
  return { rows, rejects, received };
}
