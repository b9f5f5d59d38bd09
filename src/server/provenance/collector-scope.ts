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

/** `param` is the placeholder holding the collector's name, e.g. "$1". */
export function collectorScope(table: SyncTable, param: string): CollectorScope {
  const spec: TableSpec = syncTables[table];
  const keyColumn = serverColumnOf(spec.key, spec.columns[spec.key]!);
  const sinceColumn = serverColumnOf(spec.sinceColumn, spec.columns[spec.sinceColumn]!);
  if (isCollectorOwned(spec))
    return { from: `"${spec.server}" t`, where: `t."collector" = ${param}`, sinceExpr: `t."${sinceColumn}"` };
  return {
    from: `collector_pushes cp join "${spec.server}" t on t."${keyColumn}" = cp."key"`,
    where: `cp."collector" = ${param} and cp."table_name" = '${spec.server}'`,
    sinceExpr: `cp."since_at"`,
  };
}
