import { z } from "zod";
import { env } from "~/env";
import { ingestResultSchema, reportFailureSchema } from "~/shared/schemas/ingest";
import { createTRPCRouter, ingestProcedure } from "../trpc";
import { pushIngestBatch } from "../../ingest/push-ingest-batch";
import { pushBulkChunk } from "../../ingest/push-bulk-chunk";
import { AppError } from "../../errors";
import { BULK_PATH, heldChunkInputSchema, NDJSON_TYPE } from "~/shared/schemas/bulk";
import { heldChunk } from "../../ingest/held-chunk";
import { reportIngestFailure } from "../../ingest/report-failure";
import { describeIngestAccess } from "../../ingest/validate-items";

export const ingestRouter = createTRPCRouter({
  // The batch is validated inside the service: item by item, so that one bad
  // item is a reject rather than a refused batch.
  push: ingestProcedure
    .input(z.unknown())
    .output(ingestResultSchema)
    .mutation(({ ctx, input }) =>
      pushIngestBatch(ctx.db, {
        input,
        principal: ctx.principal,
        requestBody: ctx.requestBody,
        rejects: {
          storedPerBatch: env().INGEST_REJECTS_STORED_PER_BATCH,
          retentionDays: env().INGEST_REJECTS_RETENTION_DAYS,
        },
      }),
    ),
  // One table's chunk as NDJSON: the body reaches it only through its REST route; the envelope is checked in the service.
  bulk: ingestProcedure
    .input(z.unknown())
    .output(ingestResultSchema)
    .mutation(({ ctx, input }) => {
      if (!ctx.bulkBody)
        throw new AppError(
          "BAD_REQUEST",
          `Send bulk chunks as ${NDJSON_TYPE} to POST ${BULK_PATH}?table=…&idempotencyKey=….`,
        );
      return pushBulkChunk(ctx.db, {
        envelope: input,
        body: ctx.bulkBody,
        principal: ctx.principal,
        rejects: {
          storedPerBatch: env().INGEST_REJECTS_STORED_PER_BATCH,
          retentionDays: env().INGEST_REJECTS_RETENTION_DAYS,
        },
      });
    }),
  /** Whether the server already holds a cutover chunk as the collector has it (count and checksum of its rows). */
  held: ingestProcedure
    .input(heldChunkInputSchema)
    .query(({ ctx, input }) => heldChunk(ctx.db, { input, principal: ctx.principal })),
  /** What the calling key may write, so a collector skips tables it would only see rejected. */
  access: ingestProcedure.query(({ ctx }) => describeIngestAccess(ctx.principal)),
  reportFailure: ingestProcedure
    .input(reportFailureSchema)
    .mutation(({ ctx, input }) => reportIngestFailure(ctx.db, { input, principal: ctx.principal })),
});
