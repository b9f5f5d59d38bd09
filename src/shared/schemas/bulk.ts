// The bulk ingest call (POST /api/v1/ingest/bulk): one chunk of one table's
// items as NDJSON (one item per line, the export's lines as they are), its
// envelope in the query string. The chunk is one batch on the server: the
// same validation, merge, counts, rejects and idempotency as ingest.push.
import { z } from "zod";
import { collectorMode, collectorName, isoTime, text } from "./primitives";
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
