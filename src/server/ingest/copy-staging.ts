// The COPY side of the one merge: validated rows go into a temporary staging
// table with `COPY … FROM STDIN` in PostgreSQL's binary format (written
// column by column from the catalog's types: binary-copy.ts), and the table's
// merge statement (upsert-sql.ts, the same text as the JSON path's but for
// its source) moves them into the mirrored table. The staging table lives in
// the transaction only (ON COMMIT DROP), so a crash or a rollback leaves
// nothing behind.
import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import type pg from "pg";
import { from as copyFrom } from "pg-copy-streams";
import type { TableSpec } from "~/shared/table-catalog";
import { PgBinaryWriter } from "~/shared/pg-binary-writer";
import { BINARY_COPY_HEADER, BINARY_COPY_TRAILER, writeRow } from "./binary-copy";
import { q, stagingMergeSql, stagingTableOf, upsertColumnsOf, type UpsertColumn } from "./upsert-sql";
import type { SyncTable } from "~/shared/schemas/tables";

/** Rows per write to the COPY stream: enough to keep the socket busy, small enough to stay flat in memory. */
const ROWS_PER_WRITE = 200;

/** The COPY data of `rows`, one buffer per ROWS_PER_WRITE rows (each sized like the one before it). */
export function* binaryCopyChunks(
  columns: readonly UpsertColumn[],
  rows: readonly Record<string, unknown>[],
): Generator<Buffer> {
  yield BINARY_COPY_HEADER;
  let capacity = 64 * 1024;
  for (let start = 0; start < rows.length; start += ROWS_PER_WRITE) {
    const w = new PgBinaryWriter(capacity);
    const end = Math.min(start + ROWS_PER_WRITE, rows.length);
    for (let i = start; i < end; i++) writeRow(w, columns, rows[i]!);
    capacity = w.buf.length;
    yield w.bytes();
  }
  yield BINARY_COPY_TRAILER;
}

/** Creates the transaction's staging table for `spec` (empty) and COPYs into it the data made for its columns. */
async function copyDataIntoStaging(
  client: pg.PoolClient,
  spec: TableSpec,
  copyData: (columns: readonly UpsertColumn[]) => Iterable<Buffer>,
): Promise<void> {
  const columns = upsertColumnsOf(spec);
  const staging = q(stagingTableOf(spec));
  const def = columns.map((col) => `${q(col.wire)} ${col.type}`).join(", ");
  await client.query(`create temporary table if not exists ${staging} (${def}) on commit drop`);
  await client.query(`truncate ${staging}`);
  const target = client.query(
    copyFrom(`copy ${staging} (${columns.map((c) => q(c.wire)).join(", ")}) from stdin with (format binary)`),
  );
  await pipeline(Readable.from(copyData(columns)), target);
}

/** Creates the transaction's staging table for `spec` (empty) and COPYs `rows` into it. */
export async function copyIntoStaging(
  client: pg.PoolClient,
  spec: TableSpec,
  rows: readonly Record<string, unknown>[],
): Promise<void> {
  await copyDataIntoStaging(client, spec, (columns) => binaryCopyChunks(columns, rows));
}

async function mergeStaging(client: pg.PoolClient, table: SyncTable): Promise<{ inserted: number; updated: number }> {
  const { rows: counts } = await client.query<{ inserted: number; updated: number }>(stagingMergeSql[table]);
  return { inserted: counts[0]?.inserted ?? 0, updated: counts[0]?.updated ?? 0 };
}

/** COPY then merge: the bulk path's write of one table's rows, inside the caller's transaction. */
export async function mergeThroughStaging(
  client: pg.PoolClient,
  table: SyncTable,
  spec: TableSpec,
  rows: readonly Record<string, unknown>[],
): Promise<{ inserted: number; updated: number }> {
  await copyIntoStaging(client, spec, rows);
  return mergeStaging(client, table);
}

/** The same with rows already in COPY's binary format (upsertColumnsOf's columns, without header and trailer). */
export async function mergeCopyData(
  client: pg.PoolClient,
  table: SyncTable,
  spec: TableSpec,
  copyData: readonly Buffer[],
): Promise<{ inserted: number; updated: number }> {
  await copyDataIntoStaging(client, spec, () => [BINARY_COPY_HEADER, ...copyData, BINARY_COPY_TRAILER]);
  return mergeStaging(client, table);
}
