// The ingest transaction as plain statements on one pg connection. The
// upserts carry the whole batch as one JSON parameter (megabytes); through
// Prisma's raw-query path that parameter was copied into and out of its
// query compiler, which cost more CPU than PostgreSQL spent on the upsert
// (decisions/006). Everything that must commit together is here: the
// idempotency claim, the upserts, the rejects, the batch record and the
// collector's health.
import { randomUUID } from "node:crypto";
import type pg from "pg";
import type { IngestBatch, IngestResult, TableResult } from "~/shared/schemas/ingest";
import { syncTableNames, syncTables, type SyncTable } from "~/shared/schemas/tables";
import { ANOMALIES_COLUMN } from "~/shared/table-catalog";
import type { ValidatedBatch } from "./validate-items";
import { toStorableJson } from "./storable-json";
import { pushesSql, stagingPushesSql } from "./pushes-sql";
import { hasNonFinite } from "~/shared/schemas/vector";
import { mergeCopyData, mergeThroughStaging } from "./copy-staging";
import { toRecordsetJson, upsertSql } from "./upsert-sql";

/**
 * From this many rows of one table a batch is merged through a COPY staging
 * table rather than one JSON parameter: the same merge statement, a cheaper
 * way in (measured: docs/benchmarks.md, bench:ingest).
 */
export const COPY_MIN_ROWS = 500;

// Longer than any honest batch needs; a stuck statement must not hold its locks forever.
const STATEMENT_TIMEOUT_MS = 120_000;

export type IngestClaim = {
  batch: Pick<
    IngestBatch,
    "idempotencyKey" | "collector" | "runId" | "mode" | "since" | "lookbackSeconds" | "maxAttempts"
  >;
  requestHash: string;
  apiKeyId: string | null;
  /**
   * Reject rows stored with their raw item, the first ones of the batch; the
   * rest are only counted (the batch's rejected_count and its result), so one
   * request cannot store 140,000 rows of whatever it sent.
   */
  storedRejectsLimit: number;
  /** Rows of one table from which the merge reads a COPY staging table (default COPY_MIN_ROWS). */
  copyMinRows?: number;
};

/** What collector_pushes needs of a row (key, since time, source updated_at), not the whole row. */
function pushedKeysOf(table: SyncTable, row: Record<string, unknown>): Record<string, unknown> {
  const { key, sinceColumn } = syncTables[table];
  return { [key]: row[key], [sinceColumn]: row[sinceColumn], updated_at: row.updated_at };
}

const holdsNonFiniteVector = (row: Record<string, unknown>): boolean =>
  Object.values(row).some((value) => value instanceof Float32Array && hasNonFinite(value));

type Merged = { inserted: number; updated: number; throughStaging: boolean };

async function mergeRows(
  client: pg.PoolClient,
  table: SyncTable,
  rows: Record<string, unknown>[],
  copyMinRows: number,
): Promise<Merged> {
  // JSON cannot carry NaN or ±Infinity (nor a NaN's bits): a vector holding one goes through binary COPY, as it is.
  if (rows.length >= copyMinRows || rows.some(holdsNonFiniteVector))
    return { ...(await mergeThroughStaging(client, table, syncTables[table], rows)), throughStaging: true };
  const { rows: counts } = await client.query<{ inserted: number; updated: number }>(upsertSql[table], [
    toRecordsetJson(rows),
  ]);
  return { inserted: counts[0]?.inserted ?? 0, updated: counts[0]?.updated ?? 0, throughStaging: false };
}

/** collector_pushes for a shared table's rows, read from where its merge read them. */
async function recordPushes(
  client: pg.PoolClient,
  table: SyncTable,
  batch: IngestClaim["batch"],
  from: { staging: true } | { staging: false; rows: Record<string, unknown>[] },
): Promise<void> {
  const runId = batch.runId ?? null;
  if (from.staging) {
    const sql = stagingPushesSql[table];
    if (sql) await client.query(sql, [batch.collector, runId]);
    return;
  }
  const sql = pushesSql[table];
  if (sql)
    await client.query(sql, [JSON.stringify(from.rows.map((row) => pushedKeysOf(table, row))), batch.collector, runId]);
}

export async function writeIngestBatch(
  pool: pg.Pool,
  claim: IngestClaim,
  validated: ValidatedBatch,
): Promise<IngestResult> {
  const client = await pool.connect();
  let broken: Error | undefined;
  try {
    await client.query("begin");
    await client.query(`set local statement_timeout = ${STATEMENT_TIMEOUT_MS}`);
    const result = await writeInTransaction(client, claim, validated);
    await client.query("commit");
    return result;
  } catch (error) {
    broken = error as Error;
    await client.query("rollback").then(
      () => (broken = undefined),
      () => undefined,
    );
    throw error;
  } finally {
    // A connection whose rollback failed is in an unknown state: drop it from the pool.
    client.release(broken);
  }
}

async function writeInTransaction(
  client: pg.PoolClient,
  claim: IngestClaim,
  validated: ValidatedBatch,
): Promise<IngestResult> {
  const { batch } = claim;
  const batchId = randomUUID();
  const receivedAt = new Date();
  await client.query(
    `insert into ingest_batches (id, idempotency_key, request_hash, api_key_id, collector, run_id, mode, since,
       lookback_seconds, max_attempts, received_at, status)
     values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, 'processing')`,
    [
      batchId,
      batch.idempotencyKey,
      claim.requestHash,
      claim.apiKeyId,
      batch.collector,
      batch.runId ?? null,
      batch.mode,
      batch.since ? new Date(batch.since) : null,
      batch.lookbackSeconds ?? null,
      batch.maxAttempts ?? null,
      receivedAt,
    ],
  );

  const tables = {} as Record<SyncTable, TableResult>;
  for (const table of syncTableNames) {
    const rows = validated.rows[table];
    const staged = validated.staged?.[table];
    const count = staged ? staged.count : rows.length;
    const rejected = validated.rejects.filter((r) => r.table === table).length;
    if (count === 0) {
      tables[table] = { inserted: 0, updated: 0, unchanged: 0, rejected, anomalies: 0 };
      continue;
    }
    const anomalies = staged
      ? staged.anomalies
      : rows.filter((row) => (row[ANOMALIES_COLUMN] as unknown[] | undefined)?.length).length;
    const { inserted, updated, throughStaging } = staged
      ? { ...(await mergeCopyData(client, table, syncTables[table], staged.copyData)), throughStaging: true }
      : await mergeRows(client, table, rows, claim.copyMinRows ?? COPY_MIN_ROWS);
    await recordPushes(client, table, batch, throughStaging ? { staging: true } : { staging: false, rows });
    tables[table] = { inserted, updated, unchanged: count - inserted - updated, rejected, anomalies };
  }

  if (validated.rejects.length > 0) {
    const rejects = validated.rejects.slice(0, claim.storedRejectsLimit).map((r) => ({
      table_name: syncTables[r.table].server,
      natural_key: r.key,
      reason: r.reason,
      raw_item: toStorableJson(r.rawItem),
    }));
    await client.query(
      `insert into ingest_rejects (batch_id, table_name, natural_key, reason, raw_item)
       select $1, r.table_name, r.natural_key, r.reason, coalesce(r.raw_item, 'null'::jsonb)
       from json_to_recordset($2::json) as r(table_name text, natural_key text, reason text, raw_item jsonb)`,
      [batchId, JSON.stringify(rejects)],
    );
  }

  const totals = Object.values(tables).reduce(
    (acc, t) => ({
      inserted: acc.inserted + t.inserted,
      updated: acc.updated + t.updated,
      unchanged: acc.unchanged + t.unchanged,
      rejected: acc.rejected + t.rejected,
    }),
    { inserted: 0, updated: 0, unchanged: 0, rejected: 0 },
  );
  const result: IngestResult = {
    batchId,
    idempotencyKey: batch.idempotencyKey,
    replayed: false,
    status: validated.rejects.length > 0 ? "partial" : "succeeded",
    receivedAt: receivedAt.toISOString(),
    tables,
    rejects: validated.rejects.map(({ table, index, key, reason }) => ({ table, index, key, reason })),
  };
  await client.query(
    `update ingest_batches set status = $2, finished_at = clock_timestamp(), inserted_count = $3, updated_count = $4, unchanged_count = $5,
       rejected_count = $6, table_counts = $7, result = $8 where id = $1`,
    [
      batchId,
      result.status,
      totals.inserted,
      totals.updated,
      totals.unchanged,
      totals.rejected,
      JSON.stringify(tables),
      JSON.stringify(result),
    ],
  );
  await client.query(
    `insert into collector_health (collector, mode, consecutive_failures, last_success_at, updated_at) values ($1, $2, 0, $3, now())
     on conflict (collector, mode) do update set consecutive_failures = 0, last_success_at = excluded.last_success_at, updated_at = now()`,
    [batch.collector, batch.mode, receivedAt],
  );
  return result;
}
