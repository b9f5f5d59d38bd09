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
import { ingestBatchSchema, MAX_ITEMS_PER_TABLE, type IngestResult } from "~/shared/schemas/ingest";
import { canonicalJson } from "~/shared/canonical-json";
import type { Principal } from "../auth/principal";
import type { Db } from "../db";
import { AppError } from "../errors";
import { ingestParsedBatch } from "./push-ingest-batch";
import type { RejectStorage } from "./trim-rejects";
import { zodIssueLines } from "~/shared/zod-errors";

/** Lines of an NDJSON body as items; a line that is not JSON stays a string, so validation rejects it at its index. */
export function ndjsonItems(body: Uint8Array): { items: unknown[]; unreadable: Map<number, string> } {
  const text = Buffer.from(body.buffer, body.byteOffset, body.byteLength).toString("utf8");
  const lines = text.split("\n");
  if (lines.at(-1) === "") lines.pop();
  if (lines.length > MAX_ITEMS_PER_TABLE)
    throw new AppError(
      "PAYLOAD_TOO_LARGE",
      `A bulk chunk may hold at most ${MAX_ITEMS_PER_TABLE} lines; this one has ${lines.length}: send smaller chunks.`,
    );
  const unreadable = new Map<number, string>();
  const items = lines.map((line, index) => {
    try {
      return JSON.parse(line) as unknown;
    } catch (error) {
      unreadable.set(index, `line ${index + 1} of the chunk is not JSON (${(error as Error).message.slice(0, 120)})`);
      return line.slice(0, 200);
    }
  });
  return { items, unreadable };
}

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
  const { items, unreadable } = ndjsonItems(options.body);
  const batch = ingestBatchSchema.parse({ ...envelope, [table]: items });
  const requestHash = createHash("sha256")
    .update(canonicalJson({ bulk: parsed.data }))
    .update("\n")
    .update(options.body)
    .digest("hex");
  return ingestParsedBatch(db, {
    batch,
    requestHash,
    principal: options.principal,
    copyMinRows: 1,
    ...(unreadable.size > 0 ? { unreadable: { table, reasons: unreadable } } : {}),
    ...(options.rejects ? { rejects: options.rejects } : {}),
    ...(options.maxFutureSkewMs !== undefined ? { maxFutureSkewMs: options.maxFutureSkewMs } : {}),
  });
}
