// The ingest transaction: claim the idempotency key, upsert every table with
// set-based SQL, store rejects, record the batch and the collector's health,
// all in one transaction, so a crash at any point leaves either nothing or
// everything, and a retry with the same key gets the stored result.
import { type Prisma } from "~/generated/prisma/client";
import { canonicalJson, sha256Hex } from "~/shared/canonical-json";
import { ingestBatchSchema, ingestResultSchema, type IngestResult, type TableResult } from "~/shared/schemas/ingest";
import { syncTableNames, syncTables, type SyncTable } from "~/shared/schemas/tables";
import type { Principal } from "../api/trpc";
import type { Db } from "../db";
import { AppError } from "../errors";
import { toStorableJson } from "./storable-json";
import { toRecordsetJson, upsertSql } from "./upsert-sql";
import { validateBatchItems } from "./validate-items";

const TRANSACTION_TIMEOUT_MS = 120_000;

export async function pushIngestBatch(db: Db, options: { input: unknown; principal: Principal }): Promise<IngestResult> {
  const parsed = ingestBatchSchema.safeParse(options.input);
  if (!parsed.success) {
    const first = parsed.error.issues.slice(0, 3).map((i) => `${i.path.join(".") || "body"}: ${i.message}`);
    throw new AppError("BAD_REQUEST", `Malformed ingest batch, nothing was written: ${first.join("; ")}`);
  }
  const batch = parsed.data;
  const requestHash = sha256Hex(canonicalJson(options.input));

  const replay = await findReplay(db, batch.idempotencyKey, requestHash);
  if (replay) return replay;

  const validated = validateBatchItems(batch, options.principal.role, { collector: batch.collector });
  try {
    return await db.$transaction(
      async (tx) => {
        const receivedAt = new Date();
        const claimed = await tx.ingestBatch.create({
          data: {
            idempotencyKey: batch.idempotencyKey,
            requestHash,
            apiKeyId: options.principal.apiKeyId,
            collector: batch.collector,
            runId: batch.runId ?? null,
            mode: batch.mode,
            since: batch.since ? new Date(batch.since) : null,
            receivedAt,
            status: "processing",
          },
          select: { id: true },
        });

        const tables = {} as Record<SyncTable, TableResult>;
        for (const table of syncTableNames) {
          const rows = validated.rows[table];
          const rejected = validated.rejects.filter((r) => r.table === table).length;
          if (rows.length === 0) {
            tables[table] = { inserted: 0, updated: 0, unchanged: 0, rejected };
            continue;
          }
          const [counts] = await tx.$queryRawUnsafe<{ inserted: number; updated: number }[]>(upsertSql[table], toRecordsetJson(table, rows));
          const inserted = counts?.inserted ?? 0;
          const updated = counts?.updated ?? 0;
          tables[table] = { inserted, updated, unchanged: rows.length - inserted - updated, rejected };
        }

        if (validated.rejects.length > 0) {
          await tx.ingestReject.createMany({
            data: validated.rejects.map((r) => ({
              batchId: claimed.id,
              tableName: syncTables[r.table].server,
              naturalKey: r.key,
              reason: r.reason,
              rawItem: toStorableJson(r.rawItem) as Prisma.InputJsonValue,
            })),
          });
        }

        const totals = Object.values(tables).reduce(
          (acc, t) => ({ inserted: acc.inserted + t.inserted, updated: acc.updated + t.updated, unchanged: acc.unchanged + t.unchanged, rejected: acc.rejected + t.rejected }),
          { inserted: 0, updated: 0, unchanged: 0, rejected: 0 },
        );
        const result: IngestResult = {
          batchId: claimed.id,
          idempotencyKey: batch.idempotencyKey,
          replayed: false,
          status: validated.rejects.length > 0 ? "partial" : "succeeded",
          receivedAt: receivedAt.toISOString(),
          tables,
          rejects: validated.rejects.map(({ table, index, key, reason }) => ({ table, index, key, reason })),
        };
        await tx.ingestBatch.update({
          where: { id: claimed.id },
          data: {
            status: result.status,
            finishedAt: new Date(),
            insertedCount: totals.inserted,
            updatedCount: totals.updated,
            unchangedCount: totals.unchanged,
            rejectedCount: totals.rejected,
            tableCounts: tables,
            result: result,
          },
        });
        await tx.collectorHealth.upsert({
          where: { collector_mode: { collector: batch.collector, mode: batch.mode } },
          create: { collector: batch.collector, mode: batch.mode, consecutiveFailures: 0, lastSuccessAt: receivedAt },
          update: { consecutiveFailures: 0, lastSuccessAt: receivedAt, updatedAt: new Date() },
        });
        return result;
      },
      { timeout: TRANSACTION_TIMEOUT_MS, maxWait: 30_000 },
    );
  } catch (error) {
    // The same key raced us and committed first: answer as a replay.
    if (isUniqueViolationOnIdempotencyKey(error)) {
      const raced = await findReplay(db, batch.idempotencyKey, requestHash);
      if (raced) return raced;
    }
    throw error;
  }
}

async function findReplay(db: Db, idempotencyKey: string, requestHash: string): Promise<IngestResult | null> {
  const existing = await db.ingestBatch.findUnique({ where: { idempotencyKey }, select: { requestHash: true, result: true } });
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
  const e = error as { code?: string; meta?: { target?: unknown; modelName?: string }; message?: string };
  if (e.code !== "P2002") return false;
  return JSON.stringify(e.meta ?? {}).includes("idempotency") || (e.message ?? "").includes("idempotency");
}
