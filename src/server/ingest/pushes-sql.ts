// Provenance of the shared tables (posts, embeddings): which collector pushed
// which key, when first and last and from which run, written set-based in
// the ingest transaction right after the table's upsert, from the same
// source the upsert read (the JSON parameter's keys, or the COPY staging
// table). Every valid item counts as pushed, also one the upsert left alone
// because the stored version (maybe another collector's) is newer.
import { isCollectorOwned, perTable, serverColumnOf, type TableSpec } from "~/shared/table-catalog";
import { stagingTableOf, type MergeSource } from "./upsert-sql";

const q = (name: string) => `"${name}"`;

/**
 * Null for a table the collectors own: its rows carry their collector.
 * Parameters from JSON: the rows' keys and times ($1, pushedKeysOf's), collector, run id;
 * from the staging table: collector, run id.
 */
export function buildPushesSql(spec: TableSpec, source: MergeSource): string | null {
  if (isCollectorOwned(spec)) return null;
  const key = spec.key;
  const since = spec.sinceColumn;
  const updated = Object.keys(spec.columns).find(
    (wire) => serverColumnOf(wire, spec.columns[wire]!) === "source_updated_at",
  )!;
  const [from, collector, runId] =
    source.kind === "json"
      ? [
          `json_to_recordset($1::json) as x(${q(key)} text, ${q(since)} timestamptz, ${q(updated)} timestamptz)`,
          "$2",
          "$3",
        ]
      : [`${q(source.table)} as x`, "$1", "$2"];
  return `
insert into collector_pushes as c (collector, table_name, key, since_at, source_updated_at, first_pushed_at, last_pushed_at, first_run_id, last_run_id)
select ${collector}, '${spec.server}', x.${q(key)}, x.${q(since)}, x.${q(updated)}, now(), now(), ${runId}, ${runId}
from ${from}
order by x.${q(key)}
on conflict (collector, table_name, key) do update set
  last_pushed_at = now(),
  last_run_id = coalesce(excluded.last_run_id, c.last_run_id),
  since_at = case when excluded.source_updated_at >= c.source_updated_at then excluded.since_at else c.since_at end,
  source_updated_at = greatest(c.source_updated_at, excluded.source_updated_at)`;
}

export const pushesSql = perTable((spec) => buildPushesSql(spec, { kind: "json" }));
/** The same from the table's COPY staging table, which holds exactly the rows its merge read. */
export const stagingPushesSql = perTable((spec) =>
  buildPushesSql(spec, { kind: "staging", table: stagingTableOf(spec) }),
);
