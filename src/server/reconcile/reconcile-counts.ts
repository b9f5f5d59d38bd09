// Per-table row counts "since" a time, by each table's source creation
// time (syncTables[*].sinceColumn): the collector counts its SQLite file
// with the same rule, so equal counts mean the same rows arrived.
import { syncTableNames, syncTables, type SyncTable } from "~/shared/schemas/tables";
import type { Db } from "../db";

export type TableCount = { table: string; since: number; total: number };
export type ReconcileCounts = { since: string | null; takenAt: string; tables: Record<SyncTable, TableCount> };

async function countTable(db: Db, table: SyncTable, since: Date | null): Promise<[SyncTable, TableCount]> {
  const { server, sinceColumn } = syncTables[table];
  if (!since) {
    const [row] = await db.$queryRawUnsafe<{ total: bigint }[]>(`select count(*) as total from "${server}"`);
    const total = Number(row?.total ?? 0);
    return [table, { table: server, since: total, total }];
  }
  // Two scalar subqueries rather than one FILTER: the "since" count can then
  // use the index on the time column instead of scanning the whole table.
  const [row] = await db.$queryRawUnsafe<{ total: bigint; since: bigint }[]>(
    `select (select count(*) from "${server}") as total, (select count(*) from "${server}" where "${sinceColumn}" >= $1::timestamptz) as since`,
    since,
  );
  return [table, { table: server, since: Number(row?.since ?? 0), total: Number(row?.total ?? 0) }];
}

export async function reconcileCounts(db: Db, options: { since?: string | undefined }): Promise<ReconcileCounts> {
  const since = options.since ? new Date(options.since) : null;
  // One query per table, concurrently on the pool: the big tables' scans overlap.
  const [counted, [{ now }]] = await Promise.all([
    Promise.all(syncTableNames.map((table) => countTable(db, table, since))),
    db.$queryRaw<[{ now: Date }]>`select now() as now`,
  ]);
  return { since: since ? since.toISOString() : null, takenAt: now.toISOString(), tables: Object.fromEntries(counted) as Record<SyncTable, TableCount> };
}
