// The COPY side of the one merge: validated rows go into a temporary staging
// table with `COPY … FROM STDIN` (PostgreSQL's text format, written here
// column by column from the catalog's types), and the table's merge statement
// (upsert-sql.ts, the same text as the JSON path's but for its source) moves
// them into the mirrored table. The staging table lives in the transaction
// only (ON COMMIT DROP), so a crash or a rollback leaves nothing behind.
import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import type pg from "pg";
import { from as copyFrom } from "pg-copy-streams";
import type { SqlType, TableSpec } from "~/shared/table-catalog";
import { q, stagingMergeSql, stagingTableOf, upsertColumnsOf, type UpsertColumn } from "./upsert-sql";
import type { SyncTable } from "~/shared/schemas/tables";

/** Rows per write to the COPY stream: enough to keep the socket busy, small enough to stay flat in memory. */
const ROWS_PER_WRITE = 200;

/** A text value in COPY's text format: backslash, and the three characters that end fields and rows, escaped. */
function copyText(value: string): string {
  return /[\\\n\r\t]/.test(value)
    ? value.replace(/[\\\n\r\t]/g, (c) => (c === "\\" ? "\\\\" : c === "\n" ? "\\n" : c === "\r" ? "\\r" : "\\t"))
    : value;
}

/** An array element inside PostgreSQL's array literal: always quoted, `"` and `\` escaped. */
const arrayElement = (value: unknown): string =>
  typeof value === "number" ? String(value) : `"${String(value).replace(/["\\]/g, (c) => `\\${c}`)}"`;

/** One field in COPY text format; NULL is \N. Values are already validated against the column's schema. */
export function copyField(type: SqlType, value: unknown): string {
  if (value === null || value === undefined) return "\\N";
  switch (type) {
    case "boolean":
      return value ? "t" : "f";
    case "integer":
    case "bigint":
    case "double precision":
      return (value as number).toString();
    case "text[]":
    case "real[]":
      return copyText(`{${(value as unknown[]).map(arrayElement).join(",")}}`);
    case "text":
    case "timestamptz":
      return copyText(value as string);
  }
}

export function copyLine(columns: readonly UpsertColumn[], row: Record<string, unknown>): string {
  let line = "";
  for (let i = 0; i < columns.length; i++) {
    const col = columns[i]!;
    line += (i === 0 ? "" : "\t") + copyField(col.type, row[col.wire]);
  }
  return `${line}\n`;
}

function* copyChunks(columns: readonly UpsertColumn[], rows: readonly Record<string, unknown>[]): Generator<string> {
  for (let start = 0; start < rows.length; start += ROWS_PER_WRITE) {
    let chunk = "";
    for (const row of rows.slice(start, start + ROWS_PER_WRITE)) chunk += copyLine(columns, row);
    yield chunk;
  }
}

/** Creates the transaction's staging table for `spec` (empty) and COPYs `rows` into it. */
export async function copyIntoStaging(
  client: pg.PoolClient,
  spec: TableSpec,
  rows: readonly Record<string, unknown>[],
): Promise<void> {
  const columns = upsertColumnsOf(spec);
  const staging = q(stagingTableOf(spec));
  const def = columns.map((col) => `${q(col.wire)} ${col.type}`).join(", ");
  await client.query(`create temporary table if not exists ${staging} (${def}) on commit drop`);
  await client.query(`truncate ${staging}`);
  const target = client.query(copyFrom(`copy ${staging} (${columns.map((c) => q(c.wire)).join(", ")}) from stdin`));
  await pipeline(Readable.from(copyChunks(columns, rows)), target);
}

/** COPY then merge: the bulk path's write of one table's rows, inside the caller's transaction. */
export async function mergeThroughStaging(
  client: pg.PoolClient,
  table: SyncTable,
  spec: TableSpec,
  rows: readonly Record<string, unknown>[],
): Promise<{ inserted: number; updated: number }> {
  await copyIntoStaging(client, spec, rows);
  const { rows: counts } = await client.query<{ inserted: number; updated: number }>(stagingMergeSql[table]);
  return { inserted: counts[0]?.inserted ?? 0, updated: counts[0]?.updated ?? 0 };
}
