// Set-based upserts for the seven mirrored tables: one statement per table
// per batch. Items arrive as one JSON parameter, are expanded with
// json_to_recordset, inserted in key order (a fixed lock order, so
// concurrent overlapping batches cannot deadlock) and merged with
// ON CONFLICT ... DO UPDATE ... WHERE changed. A row only moves forward: an
// item whose source updated_at is older than the stored one is left alone
// and counted as unchanged, so the final state does not depend on the order
// in which overlapping batches arrive.
import { ANOMALIES_COLUMN, perTable, serverColumnOf, type SqlType, type TableSpec } from "~/shared/table-catalog";

/** A column as the statement reads it from the JSON (wire) and writes it (column). */
export type UpsertColumn = { wire: string; column: string; type: SqlType };

/** The columns a table's upsert writes: the item's, those the server fills from the batch, and the row's anomalies. */
export function upsertColumnsOf(spec: TableSpec): UpsertColumn[] {
  const fromItem = Object.entries(spec.columns).map(([wire, col]) => ({
    wire,
    column: serverColumnOf(wire, col),
    type: col.type,
  }));
  const fromBatch = Object.entries(spec.fromBatch ?? {}).map(([wire, col]) => ({ wire, column: wire, type: col.type }));
  const anomalies = { wire: ANOMALIES_COLUMN, column: ANOMALIES_COLUMN, type: "text[]" as const };
  return [...fromItem, ...fromBatch, anomalies];
}

const q = (name: string) => `"${name}"`;

export function buildUpsertSql(spec: TableSpec): string {
  const { server, key } = spec;
  const columns = upsertColumnsOf(spec);
  const keyColumn = columns.find((col) => col.wire === key)!.column;
  const recordDef = columns.map((col) => `${q(col.wire)} ${col.type}`).join(", ");
  const targetCols = columns.map((col) => q(col.column)).join(", ");
  // A row written without its anomalies worked out (not through validate-items) has none recorded.
  const selectCols = columns
    .map((col) => (col.column === ANOMALIES_COLUMN ? `coalesce(x.${q(col.wire)}, '{}')` : `x.${q(col.wire)}`))
    .join(", ");
  const mutable = columns.filter((col) => col.column !== keyColumn);
  const setList = mutable.map((col) => `${q(col.column)} = excluded.${q(col.column)}`).join(", ");
  const stored = mutable.map((col) => `t.${q(col.column)}`).join(", ");
  const incoming = mutable.map((col) => `excluded.${q(col.column)}`).join(", ");
  return `
with upserted as (
  insert into ${q(server)} as t (${targetCols}, "ingested_at", "updated_at")
  select ${selectCols}, now(), now()
  from json_to_recordset($1::json) as x(${recordDef})
  order by x.${q(key)}
  on conflict (${q(keyColumn)}) do update set ${setList}, "updated_at" = now()
  where excluded."source_updated_at" >= t."source_updated_at"
    and (${stored}) is distinct from (${incoming})
  returning (xmax = 0) as inserted
)
select (count(*) filter (where inserted))::int as inserted,
       (count(*) filter (where not inserted))::int as updated
from upserted`;
}

/** Built once when the module loads: the ingest path only looks them up. */
export const upsertSql = perTable(buildUpsertSql);

/**
 * The statement's one parameter: validated items keyed by wire names.
 * json_to_recordset reads only the columns it declares (other keys are
 * ignored, missing ones are NULL), so the items are serialized as they are;
 * copying each into a column-only object first cost as much as the
 * serialization itself.
 */
export function toRecordsetJson(items: Record<string, unknown>[]): string {
  return JSON.stringify(items);
}
