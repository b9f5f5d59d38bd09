// The ingest call: one batch for one collector run. Items are checked one by
// one on the server (an invalid item is rejected alone), so the batch schema
// only fixes the envelope and the array shapes.
import { z } from "zod";
import { collectorMode, collectorName, isoTime, text } from "./primitives";
import { deepResultSchema } from "./deep-reconcile";
import { syncTableNames, type SyncTable } from "./tables";

export const INGEST_PROTOCOL_VERSION = 1;
export const MAX_ITEMS_PER_TABLE = 20_000;
/** Ten years: any honest lookback is far shorter. */
export const MAX_LOOKBACK_SECONDS = 10 * 366 * 86_400;

const itemArray = z
  .array(z.unknown())
  .max(MAX_ITEMS_PER_TABLE, `at most ${MAX_ITEMS_PER_TABLE} items per table in one batch: split the batch`)
  .default([]);

/** One array of items per table of the catalog, under its batch field name. */
export function tableArrays<T extends string>(tables: readonly T[]): Record<T, typeof itemArray> {
  return Object.fromEntries(tables.map((table) => [table, itemArray])) as Record<T, typeof itemArray>;
}

export const ingestBatchSchema = z.object({
  version: z
    .literal(INGEST_PROTOCOL_VERSION, {
      message: `unknown protocol version: this server speaks version ${INGEST_PROTOCOL_VERSION}`,
    })
    .default(INGEST_PROTOCOL_VERSION),
  idempotencyKey: text({ min: 1, max: 200 }),
  collector: collectorName,
  runId: text({ min: 1, max: 128 }).nullish(),
  mode: collectorMode,
  since: isoTime.nullish(),
  /** How far before its run the collector reached back for `since` (seconds), as its ingest line says. */
  lookbackSeconds: z.number().int().min(0).max(MAX_LOOKBACK_SECONDS).nullish(),
  /** Attempts the collector's retry policy allows for this batch. */
  maxAttempts: z.number().int().min(1).max(1000).nullish(),
  ...tableArrays(syncTableNames),
});

export type IngestBatch = z.input<typeof ingestBatchSchema>;

export const tableResultSchema = z.object({
  inserted: z.number().int(),
  updated: z.number().int(),
  unchanged: z.number().int(),
  rejected: z.number().int(),
  /** Accepted items that carry anomalies (values the contract allows but X would never issue); stored with them. */
  anomalies: z.number().int().default(0),
});
export type TableResult = z.infer<typeof tableResultSchema>;

export const ingestRejectSchema = z.object({
  table: z.enum(syncTableNames as [SyncTable, ...SyncTable[]]),
  index: z.number().int(),
  key: z.string().nullable(),
  reason: z.string(),
});
export type IngestRejectSummary = z.infer<typeof ingestRejectSchema>;

export const ingestResultSchema = z.object({
  batchId: z.string(),
  idempotencyKey: z.string(),
  replayed: z.boolean(),
  status: z.enum(["succeeded", "partial"]),
  receivedAt: z.string(),
  tables: z.record(z.enum(syncTableNames as [SyncTable, ...SyncTable[]]), tableResultSchema),
  rejects: z.array(ingestRejectSchema),
});
export type IngestResult = z.infer<typeof ingestResultSchema>;

/**
 * One failed ingest cycle (docs/decisions/012). `attempts`: the calls that
 * cycle made. `consecutive`: the cycle's place in the collector's streak (1
 * starts an episode); without it the server counts one more. `cycleId`: the
 * same cycle reported again (a retry, live and again after recovery) counts once.
 */
export const reportFailureSchema = z.object({
  collector: collectorName,
  mode: collectorMode,
  error: text({ min: 1, max: 10_000 }),
  attempts: z.number().int().min(1).max(1000),
  occurredAt: isoTime.optional(),
  consecutive: z.number().int().min(1).max(1_000_000).optional(),
  cycleId: text({ min: 1, max: 200 }).optional(),
});
export type ReportFailureInput = z.infer<typeof reportFailureSchema>;

/** Without a collector: every collector's rows (a key bound to a collector: its own). */
export const reconcileCountsInputSchema = z.object({ since: isoTime.optional(), collector: collectorName.optional() });

export const reconcileTableSchema = z.object({
  local: z.number().int(),
  server: z.number().int(),
  delta: z.number().int(),
});

export const reconcileRecordSchema = z.object({
  collector: collectorName,
  since: isoTime.nullish(),
  checkedAt: isoTime,
  passed: z.boolean(),
  tables: z.record(z.enum(syncTableNames as [SyncTable, ...SyncTable[]]), reconcileTableSchema),
  /** The content check (reconcile --deep), when it ran. */
  deep: deepResultSchema.optional(),
});
export type ReconcileRecord = z.infer<typeof reconcileRecordSchema>;

export const reconcileHistorySchema = z.object({
  collector: text({ max: 100 }).optional(),
  limit: z.number().int().min(1).max(500).default(50),
});
