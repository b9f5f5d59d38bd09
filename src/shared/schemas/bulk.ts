// The bulk ingest call (POST /api/v1/ingest/bulk): one chunk of one table's
// items as NDJSON (one item per line, the export's lines as they are), its
// envelope in the query string. The chunk is one batch on the server: the
// same validation, merge, counts, rejects and idempotency as ingest.push.
import { z } from "zod";
import { SHARED_TABLES } from "../row-hash";
import { MAX_ITEMS_PER_TABLE } from "./ingest";
import { collectorMode, collectorName, isoTime, statusId, text } from "./primitives";
import { syncTableNames, type SyncTable } from "./tables";

export const BULK_PATH = "/api/v1/ingest/bulk";
export const NDJSON_TYPE = "application/x-ndjson";

export const bulkChunkEnvelopeSchema = z.object({
  table: z.enum(syncTableNames as [SyncTable, ...SyncTable[]]),
  idempotencyKey: text({ min: 1, max: 200 }),
  collector: collectorName,
  mode: collectorMode,
  runId: text({ min: 1, max: 128 }).nullish(),
  since: isoTime.nullish(),
});
export type BulkChunkEnvelope = z.input<typeof bulkChunkEnvelopeSchema>;

/** The envelope as query parameters (absent optional fields are left out). */
export function bulkChunkQuery(envelope: BulkChunkEnvelope): string {
  const params = new URLSearchParams();
  for (const [name, value] of Object.entries(envelope))
    if (value !== null && value !== undefined) params.set(name, value);
  return params.toString();
}

/**
 * The tables whose cutover chunks are checked before sending: the shared ones (posts, embeddings),
 * whose keys are status ids the server reads by range and whose rows carry a stored row hash.
 */
export const HELD_CHUNK_TABLES: readonly SyncTable[] = SHARED_TABLES;

/**
 * Before sending a chunk of a shared table, the cutover asks whether the server already holds it
 * (docs/decisions/022): this collector's rows with keys from `firstKey` through `lastKey`, at most
 * `rows` + 1 of them read, so the work is bounded by the chunk's size, never by the table's.
 */
export const heldChunkInputSchema = z.object({
  table: z.enum(syncTableNames as [SyncTable, ...SyncTable[]]),
  collector: collectorName,
  firstKey: statusId,
  lastKey: statusId,
  rows: z.number().int().min(1).max(MAX_ITEMS_PER_TABLE),
  /** The key the chunk would be sent under: if a batch was recorded under it, the chunk is sent and answered from that record. */
  idempotencyKey: text({ min: 1, max: 200 }).optional(),
});
export type HeldChunkInput = z.infer<typeof heldChunkInputSchema>;

/**
 * This collector's rows in the range (at most `rows` + 1 counted): their number, the sum of their
 * row hashes modulo 2^52 (the content reconcile's checksum), and how many carry anomalies.
 * `known: false`: the server cannot read the range by key here (send the chunk). `recorded`: a
 * batch was recorded under the chunk's idempotency key (send it: its answer is that record's, the
 * counts of the push that stored the rows).
 */
export type HeldChunk = { known: boolean; recorded: boolean; count: number; checksum: number; anomalies: number };
