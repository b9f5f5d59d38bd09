// The bulk path: one chunk of one table's items as NDJSON (the cutover's
// export lines as they are), up to INGEST_MAX_BODY_BYTES and
// MAX_ITEMS_PER_TABLE lines. It is one ingest batch on the server: the same
// envelope rules, bound-key check, per-item validation and rejects, replay by
// idempotency key (the request hash covers the envelope and the bytes), and
// the same merge, read from a COPY staging table (copy-staging.ts) whatever
// the chunk's size. Only the transport differs from ingest.push: no JSON
// array around the items, no tRPC envelope.
import { createHash } from "node:crypto";
import { bulkChunkEnvelopeSchema } from "~/shared/schemas/bulk";
import { ingestBatchSchema, type IngestResult } from "~/shared/schemas/ingest";
import { canonicalJson } from "~/shared/canonical-json";
import type { Principal } from "../auth/principal";
import type { Db } from "../db";
import { AppError } from "../errors";
import { assertLineCount, stageBulkLines } from "./bulk-lines";
import { bulkBuffers } from "./bulk-buffers";
import { ingestParsedBatch } from "./push-ingest-batch";
import type { RejectStorage } from "./trim-rejects";
import { zodIssueLines } from "~/shared/zod-errors";

export async function pushBulkChunk(
  db: Db,
  options: {
    envelope: unknown;
    body: Uint8Array;
    principal: Principal;
    rejects?: RejectStorage;
    maxFutureSkewMs?: number;
  },
): Promise<IngestResult> {
  const parsed = bulkChunkEnvelopeSchema.safeParse(options.envelope);
  if (!parsed.success) {
    const first = zodIssueLines(parsed.error, { max: 3, root: "query" });
    throw new AppError("BAD_REQUEST", `Malformed bulk chunk, nothing was written: ${first.join("; ")}`);
  }
  const { table, ...envelope } = parsed.data;
  assertLineCount(options.body);
  // The items stay in the body: they are read line by line as they are validated.
  const batch = ingestBatchSchema.parse(envelope);
  const requestHash = createHash("sha256")
    .update(canonicalJson({ bulk: parsed.data }))
    .update("\n")
    .update(options.body)
    .digest("hex");
  let staged: Buffer[] = [];
  const result = await ingestParsedBatch(db, {
    batch,
    requestHash,
    principal: options.principal,
    copyMinRows: 1,
    validate: (role, extra) => {
      const validated = stageBulkLines(options.body, table, role, extra);
      staged = validated.staged?.[table]?.copyData ?? [];
      return validated;
    },
    ...(options.rejects ? { rejects: options.rejects } : {}),
    ...(options.maxFutureSkewMs !== undefined ? { maxFutureSkewMs: options.maxFutureSkewMs } : {}),
  });
  // Only once the transaction ended cleanly: its COPY was acknowledged, so no socket write still reads them.
  // After a failure they are left to the garbage collector.
  for (const part of staged) bulkBuffers.give(part);
  return result;
}
