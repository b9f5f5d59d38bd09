// A table's natural keys in pages, in the key index's order (keyset paging:
// each page one index range scan), so a cutover's validate can name the rows
// the server holds that its snapshot lacks. With a collector, only its rows
// (decisions/012): another collector's rows are never "extra" for this one.
import { perTable, serverColumnOf, type SyncTable, type TableSpec } from "~/shared/table-catalog";
import { collectorToRead } from "../auth/collector-binding";
import type { Principal } from "../auth/principal";
import type { Db } from "../db";
import { collectorScope } from "../provenance/collector-scope";

export function buildKeysPageSql(spec: TableSpec, table?: SyncTable): { first: string; next: string } {
  // $1 the page size, $2 the last key of the previous page, $3 the collector.
  const key = `t."${serverColumnOf(spec.key, spec.columns[spec.key]!)}"`;
  // Scoped: $3 is the collector; a shared table's key appears once per collector in collector_pushes.
  const scope = table ? collectorScope(table, "$3") : null;
  const base = scope
    ? `select ${key}::text as key from ${scope.from} where ${scope.where}`
    : `select ${key}::text as key from "${spec.server}" t where true`;
  return {
    first: `${base} ${scope ? "and $2::text is null " : ""}order by ${key} limit $1`,
    next: `${base} and ${key} > $2 order by ${key} limit $1`,
  };
}

const keysPageSql = perTable((spec) => buildKeysPageSql(spec));
const scopedKeysPageSql = perTable((spec, table) => buildKeysPageSql(spec, table));

export async function keysPage(
  db: Db,
  options: {
    table: SyncTable;
    after?: string | undefined;
    limit: number;
    collector?: string | undefined;
    principal?: Principal;
  },
): Promise<{ keys: string[]; next: string | null }> {
  const collector = collectorToRead(options.principal, options.collector);
  const sql = collector ? scopedKeysPageSql[options.table] : keysPageSql[options.table];
  // Exactly the placeholders the statement names (the scoped first page names $2 as null).
  const params: unknown[] = [options.limit];
  if (options.after !== undefined || collector) params.push(options.after ?? null);
  if (collector) params.push(collector);
  const text = options.after === undefined ? sql.first : sql.next;
  const rows = await db.$queryRawUnsafe<{ key: string }[]>(text, ...params);
  const keys = rows.map((r) => r.key);
  return { keys, next: keys.length === options.limit ? keys[keys.length - 1]! : null };
}
