// Per-table row counts "since" a time, by each table's source creation
// time (syncTables[*].sinceColumn): the collector counts its SQLite file
// with the same rule, so equal counts mean the same rows arrived.
import { syncTableNames, syncTables, type SyncTable } from "~/shared/schemas/tables";
import type { Db } from "../db";

export type TableCount = { table: string; since: number; total: number };
export type ReconcileCounts = { since: string | null; takenAt: string; tables: Record<SyncTable, TableCount> };

async function countRows(db: Db, sql: string, ...params: unknown[]): Promise<number> {
  const [row] = await db.$queryRawUnsafe<{ n: bigint }[]>(sql, ...params);
  return Number(row?.n ?? 0);
}

async function countTable(db: Db, table: SyncTable, since: Date | null): Promise<[SyncTable, TableCount]> {
  const { server, sinceColumn } = syncTables[table];
  // Separate statements, run concurrently on the pool: the total (a parallel
  // index-only scan of the smallest index) and the "since" count (an
  // index-only range scan of the time column's index) then overlap on two
  // cores instead of running one after the other inside one statement.
  const [total, sinceCount] = await Promise.all([
    countRows(db, `select count(*) as n from "${server}"`),
    since
      ? countRows(db, `select count(*) as n from "${server}" where "${sinceColumn}" >= $1::timestamptz`, since)
      : null,
  ]);
  return [table, { table: server, since: sinceCount ?? total, total }];
}

export async function reconcileCounts(db: Db, options: { since?: string | undefined }): Promise<ReconcileCounts> {
  const since = options.since ? new Date(options.since) : null;
  // One query per table, concurrently on the pool: the big tables' scans overlap.
  const [counted, [{ now }]] = await Promise.all([
    Promise.all(syncTableNames.map((table) => countTable(db, table, since))),
    db.$queryRaw<[{ now: Date }]>`select now() as now`,
  ]);
  return {
    since: since ? since.toISOString() : null,
    takenAt: now.toISOString(),
    tables: Object.fromEntries(counted) as Record<SyncTable, TableCount>,
  };
}
