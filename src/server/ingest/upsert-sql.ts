// Set-based upserts for the seven mirrored tables: one statement per table
// per batch. Items arrive as one JSON parameter, are expanded with
// json_to_recordset, inserted in key order (a fixed lock order, so
// concurrent overlapping batches cannot deadlock) and merged with
// ON CONFLICT ... DO UPDATE ... WHERE changed. A row only moves forward: an
// item whose source updated_at is older than the stored one is left alone
// and counted as unchanged, so the final state does not depend on the order
// in which overlapping batches arrive.
import type { SyncTable } from "~/shared/schemas/tables";
import { syncTables } from "~/shared/schemas/tables";

type Column = { wire: string; column: string; type: string };

const c = (wire: string, type: string, column = wire): Column => ({ wire, column, type });
const sourceUpdatedAt = c("updated_at", "timestamptz", "source_updated_at");

export const tableColumns: Record<SyncTable, Column[]> = {
  posts: [
    c("status_id", "text"),
    c("author_handle", "text"),
    c("author_id", "text"),
    c("body", "text"),
    c("lang", "text"),
    c("url", "text"),
    c("created_at", "timestamptz"),
    c("collected_at", "timestamptz"),
    c("mode", "text"),
    c("run_id", "text"),
    c("like_count", "integer"),
    c("repost_count", "integer"),
    c("reply_count", "integer"),
    c("quote_count", "integer"),
    c("view_count", "bigint"),
    c("is_reply", "boolean"),
    c("is_repost", "boolean"),
    c("conversation_id", "text"),
    c("score", "double precision"),
    c("raw_json", "text"),
    sourceUpdatedAt,
  ],
  reports: [
    c("report_id", "text"),
    c("run_id", "text"),
    c("kind", "text"),
    c("title", "text"),
    c("body_md", "text"),
    c("status_ids", "text[]"),
    c("created_at", "timestamptz"),
    sourceUpdatedAt,
  ],
  pipelineRuns: [
    c("run_id", "text"),
    c("collector", "text"),
    c("mode", "text"),
    c("run_at", "timestamptz"),
    c("finished_at", "timestamptz"),
    c("status", "text"),
    c("fetched_count", "integer"),
    c("new_count", "integer"),
    c("error", "text"),
    sourceUpdatedAt,
  ],
  watchAccounts: [
    c("handle", "text"),
    c("user_id", "text"),
    c("tier", "text"),
    c("active", "boolean"),
    c("note", "text"),
    c("added_at", "timestamptz"),
    sourceUpdatedAt,
  ],
  embeddings: [
    c("status_id", "text"),
    c("model", "text"),
    c("dims", "integer"),
    c("vector", "real[]"),
    c("created_at", "timestamptz"),
    sourceUpdatedAt,
  ],
  windowSummaries: [
    c("window_id", "text"),
    c("mode", "text"),
    c("window_start", "timestamptz"),
    c("window_end", "timestamptz"),
    c("post_count", "integer"),
    c("summary_md", "text"),
    c("top_status_ids", "text[]"),
    c("created_at", "timestamptz"),
    sourceUpdatedAt,
  ],
  narrativeShifts: [
    c("shift_id", "text"),
    c("topic", "text"),
    c("detected_at", "timestamptz"),
    c("window_id", "text"),
    c("magnitude", "double precision"),
    c("description", "text"),
    c("status_ids", "text[]"),
    c("created_at", "timestamptz"),
    sourceUpdatedAt,
  ],
};

const q = (name: string) => `"${name}"`;

function buildUpsertSql(table: SyncTable): string {
  const { server, key } = syncTables[table];
  const columns = tableColumns[table];
  const keyColumn = columns.find((col) => col.wire === key)!.column;
  const recordDef = columns.map((col) => `${q(col.wire)} ${col.type}`).join(", ");
  const targetCols = columns.map((col) => q(col.column)).join(", ");
  const selectCols = columns.map((col) => `x.${q(col.wire)}`).join(", ");
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

export const upsertSql: Record<SyncTable, string> = Object.fromEntries(
  (Object.keys(tableColumns) as SyncTable[]).map((t) => [t, buildUpsertSql(t)]),
) as Record<SyncTable, string>;

/**
 * The statement's one parameter: validated items keyed by wire names.
 * json_to_recordset reads only the columns it declares (other keys are
 * ignored, missing ones are NULL), so the items are serialized as they are;
 * copying each into a column-only object first cost as much as the
 * serialization itself.
 */
export function toRecordsetJson(_table: SyncTable, items: Record<string, unknown>[]): string {
  return JSON.stringify(items);
}
