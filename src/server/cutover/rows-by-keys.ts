// Rows of any mirrored table by natural key, in the ingest item shape
// (snake_case, the source's updated_at), so a client can compare what it
// holds with what the server stored field by field (cutover spot checks).
import {
  isCollectorOwned,
  perTable,
  serverColumnOf,
  type SqlType,
  type SyncTable,
  type TableSpec,
} from "~/shared/table-catalog";
import { collectorToRead } from "../auth/collector-binding";
import type { Principal } from "../auth/principal";
import type { Db } from "../db";
import { syncTables } from "~/shared/schemas/tables";

function selectExpression(column: string, type: SqlType): string {
  if (type === "timestamptz") return `to_char("${column}" at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`;
  if (type === "bigint") return `"${column}"::float8`;
  // float4 prints its shortest form; float8 of it is the exact value the client sent (a float32).
  if (type === "real[]") return `"${column}"::float8[]`;
  return `"${column}"`;
}

/**
 * The item's columns only: those the server fills from the batch (the
 * collector) are not the client's. A table the collectors own is read for
 * one collector ($2) when one is given; else every collector's row of each
 * key comes back (several rows per key, ordered by collector).
 */
export function buildRowsByKeysSql(spec: TableSpec, scoped = false): string {
  const fields = Object.entries(spec.columns)
    .map(([wire, col]) => `'${wire}', ${selectExpression(serverColumnOf(wire, col), col.type)}`)
    .join(", ");
  const keyColumn = serverColumnOf(spec.key, spec.columns[spec.key]!);
  const owned = isCollectorOwned(spec);
  const where = scoped && owned ? ` and "collector" = $2` : "";
  return `select json_build_object(${fields}) as row from "${spec.server}" where "${keyColumn}" = any($1::text[])${where} order by "${keyColumn}"${owned ? `, "collector"` : ""}`;
}

const rowsByKeysSql = perTable((spec) => buildRowsByKeysSql(spec));
const scopedRowsByKeysSql = perTable((spec) => buildRowsByKeysSql(spec, true));

export async function rowsByKeys(
  db: Db,
  options: { table: SyncTable; keys: readonly string[]; collector?: string | undefined; principal?: Principal },
): Promise<Record<string, unknown>[]> {
  if (options.keys.length === 0) return [];
  const collector = collectorToRead(options.principal, options.collector);
  const rows =
    collector && isCollectorOwned(syncTables[options.table])
      ? await db.$queryRawUnsafe<{ row: Record<string, unknown> }[]>(
          scopedRowsByKeysSql[options.table],
          [...options.keys],
          collector,
        )
      : await db.$queryRawUnsafe<{ row: Record<string, unknown> }[]>(rowsByKeysSql[options.table], [...options.keys]);
  return rows.map((r) => r.row);
}
