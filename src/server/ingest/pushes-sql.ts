// Provenance of the shared tables (posts, embeddings): which collector pushed
// which key, when first and last and from which run, written set-based in
// the ingest transaction right after the table's upsert, from the same JSON
// parameter. Every valid item counts as pushed, also one the upsert left
// alone because the stored version (maybe another collector's) is newer.
import { isCollectorOwned, perTable, serverColumnOf, type TableSpec } from "~/shared/table-catalog";

const q = (name: string) => `"${name}"`;

/** Null for a table the collectors own: its rows carry their collector. Parameters: items, collector, run id. */
export function buildPushesSql(spec: TableSpec): string | null {
  if (isCollectorOwned(spec)) return null;
  const key = spec.key;
  const since = spec.sinceColumn;
  const updated = Object.keys(spec.columns).find(
    (wire) => serverColumnOf(wire, spec.columns[wire]!) === "source_updated_at",
  )!;
  return `
insert into collector_pushes as c (collector, table_name, key, since_at, source_updated_at, first_pushed_at, last_pushed_at, first_run_id, last_run_id)
select $2, '${spec.server}', x.${q(key)}, x.${q(since)}, x.${q(updated)}, now(), now(), $3, $3
from json_to_recordset($1::json) as x(${q(key)} text, ${q(since)} timestamptz, ${q(updated)} timestamptz)
order by x.${q(key)}
on conflict (collector, table_name, key) do update set
  last_pushed_at = now(),
  last_run_id = coalesce(excluded.last_run_id, c.last_run_id),
  since_at = case when excluded.source_updated_at >= c.source_updated_at then excluded.since_at else c.since_at end,
  source_updated_at = greatest(c.source_updated_at, excluded.source_updated_at)`;
}

export const pushesSql = perTable(buildPushesSql);
