// Ingest: parse the envelope, answer replays from the stored result, validate
// every item, then write everything in one transaction (ingest-transaction.ts),
// so a crash at any point leaves either nothing or everything, and a retry
// with the same key gets the stored result.
import { createHash } from "node:crypto";
import { canonicalJson, sha256Hex } from "~/shared/canonical-json";
import { JsonBudgetExceeded } from "~/shared/json-budget";
import { ingestBatchSchema, ingestResultSchema, type IngestResult } from "~/shared/schemas/ingest";
import type { z } from "zod";
import { env } from "~/env";
import { assertMayActFor } from "../auth/collector-binding";
import type { Principal, Role } from "../auth/principal";
import { sqlPool, type Db } from "../db";
import { AppError } from "../errors";
import { writeIngestBatch } from "./ingest-transaction";
import { defaultRejectStorage, scheduleRejectTrim, type RejectStorage } from "./trim-rejects";
import { validateBatchItems, type ClockLimit, type ValidatedBatch } from "./validate-items";
import { zodIssueLines } from "~/shared/zod-errors";

type IngestBatchParsed = z.output<typeof ingestBatchSchema>;

export async function pushIngestBatch(
  db: Db,
  options: {
    input: unknown;
    principal: Principal;
    /** The body as sent, when the transport has it: the request hash is then taken over these bytes. */
    requestBody?: Uint8Array | undefined;
    rejects?: RejectStorage;
    /** Allowed clock skew for item times; default INGEST_MAX_FUTURE_SKEW_SECONDS. */
    maxFutureSkewMs?: number;
  },
): Promise<IngestResult> {
  const parsed = ingestBatchSchema.safeParse(options.input);
  if (!parsed.success) {
    const first = zodIssueLines(parsed.error, { max: 3, root: "body" });
    throw new AppError("BAD_REQUEST", `Malformed ingest batch, nothing was written: ${first.join("; ")}`);
  }
  return ingestParsedBatch(db, {
    principal: options.principal,
    ...(options.rejects ? { rejects: options.rejects } : {}),
    ...(options.maxFutureSkewMs !== undefined ? { maxFutureSkewMs: options.maxFutureSkewMs } : {}),
    batch: parsed.data,
    requestHash: requestHashOf(options.input, options.requestBody),
  });
}

export type ParsedBatchOptions = {
  batch: IngestBatchParsed;
  /** What a replay under the same key must match. */
  requestHash: string;
  principal: Principal;
  rejects?: RejectStorage;
  maxFutureSkewMs?: number;
  /** Rows of one table from which the merge reads a COPY staging table. */
  copyMinRows?: number;
  /** Validates the batch's items where they are not in `batch` (a bulk chunk's lines); default validateBatchItems. */
  validate?: (role: Role, extra: { collector: string; clock: ClockLimit }) => ValidatedBatch;
};

/** A batch whose envelope is parsed: replay, or validate every item and write in one transaction. */
export async function ingestParsedBatch(db: Db, options: ParsedBatchOptions): Promise<IngestResult> {
  const { batch, requestHash } = options;
  // Before the replay lookup too: a replayed answer would tell another collector's batch results.
  assertMayActFor(options.principal, batch.collector);

  const replay = await findReplay(db, batch.idempotencyKey, requestHash);
  if (replay) return replay;

  const validate = options.validate ?? ((role, extra) => validateBatchItems(batch, role, extra));
  const validated = validate(options.principal.role, {
    collector: batch.collector,
    clock: { now: Date.now(), maxFutureSkewMs: options.maxFutureSkewMs ?? env().INGEST_MAX_FUTURE_SKEW_SECONDS * 1000 },
  });
  try {
    const rejects = options.rejects ?? defaultRejectStorage;
    const result = await writeIngestBatch(
      sqlPool(db),
      {
        batch,
        requestHash,
        apiKeyId: options.principal.apiKeyId,
        storedRejectsLimit: rejects.storedPerBatch,
        ...(options.copyMinRows !== undefined ? { copyMinRows: options.copyMinRows } : {}),
      },
      validated,
    );
    scheduleRejectTrim(db, { retentionDays: rejects.retentionDays });
    return result;
  } catch (error) {
    // The same key raced us and committed first: answer as a replay.
    if (isUniqueViolationOnIdempotencyKey(error)) {
      const raced = await findReplay(db, batch.idempotencyKey, requestHash);
      if (raced) return raced;
    }
    throw error;
  }
}

/**
 * What a replay must match. Over the body's bytes where the transport has
 * them (a retry resends the same bytes; hashing them costs nothing to walk);
 * otherwise over the canonical JSON of the input, within its budget.
 */
function requestHashOf(input: unknown, requestBody: Uint8Array | undefined): string {
  if (requestBody) return createHash("sha256").update(requestBody).digest("hex");
  try {
    return sha256Hex(canonicalJson(input));
  } catch (error) {
    if (!(error instanceof JsonBudgetExceeded)) throw error;
    throw new AppError("BAD_REQUEST", `Malformed ingest batch, nothing was written: ${error.message}.`);
  }
}

async function findReplay(db: Db, idempotencyKey: string, requestHash: string): Promise<IngestResult | null> {
  const existing = await db.ingestBatch.findUnique({
    where: { idempotencyKey },
    select: { requestHash: true, result: true },
  });
  if (!existing) return null;
  if (existing.requestHash !== requestHash) {
    throw new AppError(
      "CONFLICT",
      `Idempotency key ${idempotencyKey} was already used with a different body: send changed data under a new key.`,
    );
  }
  const stored = ingestResultSchema.parse(existing.result);
  return { ...stored, replayed: true };
}

function isUniqueViolationOnIdempotencyKey(error: unknown): boolean {
  const e = error as { code?: string; constraint?: string };
  return e.code === "23505" && (e.constraint ?? "").includes("idempotency_key");
}
