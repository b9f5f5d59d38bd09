// Set-based merges for the seven mirrored tables: one statement per table
// per batch, the same statement text for every way rows arrive. The source
// relation is either the batch's items as one JSON parameter expanded with
// json_to_recordset (small batches), or a staging table filled with COPY
// (large batches and the bulk path, copy-staging.ts). Rows are inserted in
// conflict-key order (a fixed lock order, so concurrent overlapping batches
// cannot deadlock) and merged with ON CONFLICT ... DO UPDATE ... WHERE
// changed. A row only moves forward: an item whose source updated_at is older
// than the stored one is left alone and counted as unchanged, so the final
// state does not depend on the order in which overlapping batches arrive.
import {
  ANOMALIES_COLUMN,
  conflictColumnsOf,
  perTable,
  serverColumnOf,
  type SqlType,
  type TableSpec,
} from "~/shared/table-catalog";

/** A column as the statement reads it from the source (wire) and writes it (column). */
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

export const q = (name: string) => `"${name}"`;

/** Where a merge reads its rows: `x` with one column per wire name, typed as the server column. */
export type MergeSource = { kind: "json" } | { kind: "staging"; table: string };

/** The staging table's name for one mirrored table (temporary, dropped at commit). */
export const stagingTableOf = (spec: TableSpec): string => `bulk_stage_${spec.server}`;

/** The relation a merge selects from, aliased `x`. */
function sourceRelation(spec: TableSpec, source: MergeSource): string {
  if (source.kind === "staging") return `${q(source.table)} as x`;
  const recordDef = upsertColumnsOf(spec)
    .map((col) => `${q(col.wire)} ${col.type}`)
    .join(", ");
  return `json_to_recordset($1::json) as x(${recordDef})`;
}

export function buildMergeSql(spec: TableSpec, source: MergeSource): string {
  const { server } = spec;
  const columns = upsertColumnsOf(spec);
  // A collector-owned table's key starts with the collector (from the batch): one collector's push never changes another's row.
  const conflict = conflictColumnsOf(spec);
  const wireOf = (column: string) => columns.find((col) => col.column === column)!.wire;
  const targetCols = columns.map((col) => q(col.column)).join(", ");
  // A row written without its anomalies worked out (not through validate-items) has none recorded.
  const selectCols = columns
    .map((col) => (col.column === ANOMALIES_COLUMN ? `coalesce(x.${q(col.wire)}, '{}')` : `x.${q(col.wire)}`))
    .join(", ");
  const mutable = columns.filter((col) => !conflict.includes(col.column));
  const setList = mutable.map((col) => `${q(col.column)} = excluded.${q(col.column)}`).join(", ");
  const stored = mutable.map((col) => `t.${q(col.column)}`).join(", ");
  const incoming = mutable.map((col) => `excluded.${q(col.column)}`).join(", ");
  return `
with upserted as (
  insert into ${q(server)} as t (${targetCols}, "ingested_at", "updated_at")
  select ${selectCols}, now(), now()
  from ${sourceRelation(spec, source)}
  order by ${conflict.map((c) => `x.${q(wireOf(c))}`).join(", ")}
  on conflict (${conflict.map(q).join(", ")}) do update set ${setList}, "updated_at" = now()
  where excluded."source_updated_at" >= t."source_updated_at"
    and (${stored}) is distinct from (${incoming})
  returning (xmax = 0) as inserted
)
select (count(*) filter (where inserted))::int as inserted,
       (count(*) filter (where not inserted))::int as updated
from upserted`;
}

/** The merge from one JSON parameter ($1: the items, as toRecordsetJson makes it). */
export function buildUpsertSql(spec: TableSpec): string {
  return buildMergeSql(spec, { kind: "json" });
}

/** Built once when the module loads: the ingest path only looks them up. */
export const upsertSql = perTable(buildUpsertSql);
/** The same merge reading the table's COPY staging table. */
export const stagingMergeSql = perTable((spec) =>
  buildMergeSql(spec, { kind: "staging", table: stagingTableOf(spec) }),
);

/**
 * The statement's one parameter: validated items keyed by wire names.
 * json_to_recordset reads only the columns it declares (other keys are
 * ignored, missing ones are NULL), so the items are serialized as they are;
 * copying each into a column-only object first cost as much as the
 * serialization itself. A vector is validated into a Float32Array
 * (decisions/018), which json_to_recordset needs as an array of numbers.
 */
export function toRecordsetJson(items: Record<string, unknown>[]): string {
  // Items of one table share their columns; only a table with vectors is copied.
  const first = items[0];
  const vectorKeys = first ? Object.keys(first).filter((k) => first[k] instanceof Float32Array) : [];
  if (vectorKeys.length === 0) return JSON.stringify(items);
  // Copies with plain arrays keep JSON.stringify on its fast path (a replacer function took twice as long).
  return JSON.stringify(
    items.map((item) => {
      const copy = { ...item };
      for (const key of vectorKeys) copy[key] = vectorAsNumbers(item[key] as Float32Array);
      return copy;
    }),
  );
}

/** JSON's own text for a value (Node 21+; not yet in TypeScript's lib). */
const NEGATIVE_ZERO = (JSON as unknown as { rawJSON(text: string): unknown }).rawJSON("-0");

/** A vector's values as JSON numbers; -0 spelled out (JSON.stringify writes 0), as binary COPY keeps its sign. */
function vectorAsNumbers(values: Float32Array): unknown[] {
  const out = new Array<unknown>(values.length);
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!;
    out[i] = v === 0 && 1 / v < 0 ? NEGATIVE_ZERO : v;
  }
  return out;
}
