// Rows of any mirrored table by natural key, in the ingest item shape
// (snake_case, the source's updated_at), so a client can compare what it
// holds with what the server stored field by field (cutover spot checks).
import type { SyncTable } from "~/shared/schemas/tables";
import { syncTables } from "~/shared/schemas/tables";
import type { Db } from "../db";
import { tableColumns } from "../ingest/upsert-sql";

function selectExpression(column: string, type: string): string {
  if (type === "timestamptz") return `to_char("${column}" at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`;
  if (type === "bigint") return `"${column}"::float8`;
  // float4 prints its shortest form; float8 of it is the exact value the client sent (a float32).
  if (type === "real[]") return `"${column}"::float8[]`;
  return `"${column}"`;
}

export async function rowsByKeys(
  db: Db,
  options: { table: SyncTable; keys: readonly string[] },
): Promise<Record<string, unknown>[]> {
  if (options.keys.length === 0) return [];
  const { server, key } = syncTables[options.table];
  const columns = tableColumns[options.table].filter(
    (c) => !(options.table === "pipelineRuns" && c.wire === "collector"),
  );
  const keyColumn = tableColumns[options.table].find((c) => c.wire === key)!.column;
  const fields = columns.map((c) => `'${c.wire}', ${selectExpression(c.column, c.type)}`).join(", ");
  const rows = await db.$queryRawUnsafe<{ row: Record<string, unknown> }[]>(
    `select json_build_object(${fields}) as row from "${server}" where "${keyColumn}" = any($1::text[]) order by "${keyColumn}"`,
    [...options.keys],
  );
  return rows.map((r) => r.row);
}
