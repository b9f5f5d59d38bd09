// Whether the server already holds a cutover chunk as the collector has it
// (docs/decisions/022): this collector's rows of a shared table in the
// chunk's key range, counted with the sum of their stored row hashes (the
// content reconcile's checksum) and how many carry anomalies. The collector
// compares with its own rows and skips the chunk only on an exact match.
// Reads collector_pushes through its primary key, range by range, at most
// one row more than the chunk holds: the work is bounded by the chunk.
import { AppError } from "../errors";
import { HELD_CHUNK_TABLES, type HeldChunk, type HeldChunkInput } from "~/shared/schemas/bulk";
import { syncTables, type SyncTable } from "~/shared/schemas/tables";
import { serverColumnOf, type TableSpec } from "~/shared/table-catalog";
import { assertMayActFor } from "../auth/collector-binding";
import type { Principal } from "../auth/principal";
import { sqlPool, type Db } from "../db";
import { digitsOrderAsBytes } from "../reconcile/key-ranges";

/**
 * $1 collector, $2 first key, $3 last key, $4 the most rows to read. The key range is compared in
 * the index's collation, which orders digit strings as bytes (checked by digitsOrderAsBytes).
 */
function heldChunkSql(table: SyncTable): string {
  const spec: TableSpec = syncTables[table];
  const key = serverColumnOf(spec.key, spec.columns[spec.key]!);
  return `
select count(*)::int as count,
       coalesce(sum(x.hash) % 4503599627370496, 0)::int8 as checksum,
       (count(*) filter (where cardinality(x.anomalies) > 0))::int as anomalies
from (select t."row_hash" as hash, t."anomalies"
      from collector_pushes cp
      cross join lateral (select s."row_hash", s."anomalies" from "${spec.server}" s
                          where s."${key}" = cp."key" offset 0) t
      where cp."collector" = $1 and cp."table_name" = '${spec.server}'
        and cp."key" >= $2 and cp."key" <= $3
      limit $4) x`;
}

const statements = new Map(HELD_CHUNK_TABLES.map((table) => [table, heldChunkSql(table)]));

export async function heldChunk(
  db: Db,
  { input, principal }: { input: HeldChunkInput; principal: Principal },
): Promise<HeldChunk> {
  assertMayActFor(principal, input.collector);
  const sql = statements.get(input.table);
  if (!sql)
    throw new AppError(
      "BAD_REQUEST",
      `Only chunks of ${HELD_CHUNK_TABLES.join(" and ")} can be checked before sending; send ${input.table} chunks as they are.`,
    );
  const nothing = { count: 0, checksum: 0, anomalies: 0 };
  if (input.idempotencyKey) {
    const { rowCount } = await sqlPool(db).query(
      "select 1 from ingest_batches where idempotency_key = $1 and collector = $2",
      [input.idempotencyKey, input.collector],
    );
    if (rowCount) return { known: true, recorded: true, ...nothing };
  }
  if (!(await digitsOrderAsBytes(db))) return { known: false, recorded: false, ...nothing };
  const { rows } = await sqlPool(db).query<{ count: number; checksum: string; anomalies: number }>(sql, [
    input.collector,
    input.firstKey,
    input.lastKey,
    input.rows + 1,
  ]);
  const row = rows[0]!;
  return { known: true, recorded: false, count: row.count, checksum: Number(row.checksum), anomalies: row.anomalies };
}
