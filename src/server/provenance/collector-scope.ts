// One collector's rows of a mirrored table, as SQL pieces (docs/decisions/
// 012-per-collector-provenance.md). A table the collectors own carries the
// pushing collector in its key: its rows are those with that collector. A
// shared table (posts, embeddings: one row per key, the newest version wins)
// is scoped through collector_pushes, joined to the stored row, so a row
// deleted on the server is missing for every collector that pushed it; the
// "since" time is the one this collector pushed (collector_pushes.since_at).
// Counts (reconcile) and any per-collector read (checksums) build on this.
import { syncTables, type SyncTable } from "~/shared/schemas/tables";
import { isCollectorOwned, serverColumnOf, type TableSpec } from "~/shared/table-catalog";

export type CollectorScope = {
  /** FROM clause: the table as `t` (and collector_pushes as `cp` for a shared table). */
  from: string;
  /** The condition that keeps this collector's rows. */
  where: string;
  /** The source time a "since" bound applies to, as this collector pushed it. */
  sinceExpr: string;
};

/**
 * SQL expressions of key ranges (docs/decisions/021): `lo` and `hi` text arrays of ranges
 * [lo, hi), `tail` the start of an open range (null: none). Compared in the index's collation,
 * so only for keys that order alike there and in byte order (src/server/reconcile/key-ranges.ts).
 */
export type KeyRangeParams = { lo: string; hi: string; tail: string };

/**
 * `param` is the placeholder holding the collector's name, e.g. "$1". With `ranges` (shared
 * tables only), collector_pushes is read through its primary key, one index range scan per range.
 */
export function collectorScope(table: SyncTable, param: string, ranges?: KeyRangeParams): CollectorScope {
  const spec: TableSpec = syncTables[table];
  const keyColumn = serverColumnOf(spec.key, spec.columns[spec.key]!);
  const sinceColumn = serverColumnOf(spec.sinceColumn, spec.columns[spec.sinceColumn]!);
  if (isCollectorOwned(spec)) {
    if (ranges) throw new Error(`${table} is read by its collector column, not by key ranges`);
    return { from: `"${spec.server}" t`, where: `t."collector" = ${param}`, sinceExpr: `t."${sinceColumn}"` };
  }
  const where = `cp."collector" = ${param} and cp."table_name" = '${spec.server}'`;
  // With ranges, each key is looked up by index (a lateral subquery behind "offset 0" is run per
  // key): the planner cannot tell how few keys the ranges hold and would hash the whole table.
  const from = ranges
    ? `${pushesInRanges(where, ranges)} cp
       cross join lateral (select * from "${spec.server}" t where t."${keyColumn}" = cp."key" offset 0) t`
    : `collector_pushes cp join "${spec.server}" t on t."${keyColumn}" = cp."key"`;
  return { from, where, sinceExpr: `cp."since_at"` };
}

/**
 * collector_pushes' rows (as `cp`) whose key is in the ranges: the closed ones, one index range
 * scan each (run per range, as above), then the open one.
 */
function pushesInRanges(where: string, ranges: KeyRangeParams): string {
  const columns = `cp."collector", cp."table_name", cp."key", cp."since_at"`;
  return `(select cp.* from unnest(${ranges.lo}::text[], ${ranges.hi}::text[]) r(lo, hi)
           cross join lateral (select ${columns} from collector_pushes cp
                               where ${where} and cp."key" >= r.lo and cp."key" < r.hi offset 0) cp
         union all
         select ${columns} from collector_pushes cp where ${where} and cp."key" >= ${ranges.tail}::text)`;
}
