// Rows of any mirrored table by natural key, in the ingest item shape
// (snake_case, the source's updated_at), so a client can compare what it
// holds with what the server stored field by field (cutover spot checks).
import { perTable, serverColumnOf, type SqlType, type SyncTable, type TableSpec } from "~/shared/table-catalog";
import type { Db } from "../db";

function selectExpression(column: string, type: SqlType): string {
  if (type === "timestamptz") return `to_char("${column}" at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`;
  if (type === "bigint") return `"${column}"::float8`;
  // float4 prints its shortest form; float8 of it is the exact value the client sent (a float32).
  if (type === "real[]") return `"${column}"::float8[]`;
  return `"${column}"`;
}

/** The item's columns only: those the server fills from the batch (a run's collector) are not the client's. */
export function buildRowsByKeysSql(spec: TableSpec): string {
  const fields = Object.entries(spec.columns)
    .map(([wire, col]) => `'${wire}', ${selectExpression(serverColumnOf(wire, col), col.type)}`)
    .join(", ");
  const keyColumn = serverColumnOf(spec.key, spec.columns[spec.key]!);
  return `select json_build_object(${fields}) as row from "${spec.server}" where "${keyColumn}" = any($1::text[]) order by "${keyColumn}"`;
}

const rowsByKeysSql = perTable(buildRowsByKeysSql);

export async function rowsByKeys(
  db: Db,
  options: { table: SyncTable; keys: readonly string[] },
): Promise<Record<string, unknown>[]> {
  if (options.keys.length === 0) return [];
  const rows = await db.$queryRawUnsafe<{ row: Record<string, unknown> }[]>(rowsByKeysSql[options.table], [
    ...options.keys,
  ]);
  return rows.map((r) => r.row);
}
