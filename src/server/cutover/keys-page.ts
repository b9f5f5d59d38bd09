// A table's natural keys in pages, in the key index's order (keyset paging:
// each page one index range scan), so a cutover's validate can name the rows
// the server holds that its snapshot lacks.
import { perTable, serverColumnOf, type SyncTable, type TableSpec } from "~/shared/table-catalog";
import type { Db } from "../db";

export function buildKeysPageSql(spec: TableSpec): { first: string; next: string } {
  const key = `"${serverColumnOf(spec.key, spec.columns[spec.key]!)}"`;
  const base = `select ${key}::text as key from "${spec.server}"`;
  return {
    first: `${base} order by ${key} limit $1`,
    next: `${base} where ${key} > $2 order by ${key} limit $1`,
  };
}

const keysPageSql = perTable(buildKeysPageSql);

export async function keysPage(
  db: Db,
  options: { table: SyncTable; after?: string | undefined; limit: number },
): Promise<{ keys: string[]; next: string | null }> {
  const sql = keysPageSql[options.table];
  const rows =
    options.after === undefined
      ? await db.$queryRawUnsafe<{ key: string }[]>(sql.first, options.limit)
      : await db.$queryRawUnsafe<{ key: string }[]>(sql.next, options.limit, options.after);
  const keys = rows.map((r) => r.key);
  return { keys, next: keys.length === options.limit ? keys[keys.length - 1]! : null };
}
