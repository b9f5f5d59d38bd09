// Per-table row counts "since" a time, by each table's source creation
// time (syncTables[*].sinceColumn): the collector counts its SQLite file
// with the same rule, so equal counts mean the same rows arrived.
import { syncTableNames, syncTables, type SyncTable } from "~/shared/schemas/tables";
import type { Db } from "../db";

export type TableCount = { table: string; since: number; total: number };
export type ReconcileCounts = { since: string | null; takenAt: string; tables: Record<SyncTable, TableCount> };

export async function reconcileCounts(db: Db, options: { since?: string | undefined }): Promise<ReconcileCounts> {
  const since = options.since ? new Date(options.since) : null;
  const parts = syncTableNames.map((table) => {
    const { server, sinceColumn } = syncTables[table];
    // Two scalar subqueries rather than one FILTER: the "since" count can then
    // use the index on the time column instead of scanning the whole table.
    return `select '${table}' as name,
      (select count(*) from "${server}")::bigint as total,
      (select count(*) from "${server}" where $1::timestamptz is null or "${sinceColumn}" >= $1::timestamptz)::bigint as since`;
  });
  const rows = await db.$queryRawUnsafe<{ name: SyncTable; total: bigint; since: bigint }[]>(
    `${parts.join(" union all ")}`,
    since,
  );
  const [{ now }] = (await db.$queryRaw<{ now: Date }[]>`select now() as now`) as [{ now: Date }];
  const tables = {} as Record<SyncTable, TableCount>;
  for (const row of rows) {
    tables[row.name] = { table: syncTables[row.name].server, since: Number(row.since), total: Number(row.total) };
  }
  return { since: since ? since.toISOString() : null, takenAt: now.toISOString(), tables };
}
