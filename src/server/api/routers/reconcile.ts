import { reconcileCountsInputSchema, reconcileHistorySchema, reconcileRecordSchema } from "~/shared/schemas/ingest";
import { deepRowHashesInputSchema, deepSegmentsInputSchema } from "~/shared/schemas/deep-reconcile";
import { collectorReadProcedure, createTRPCRouter, ingestProcedure, readerProcedure } from "../trpc";
import { deepRowHashes, deepSegments } from "../../reconcile/deep-reconcile";
import { reconcileCounts } from "../../reconcile/reconcile-counts";
import {
  listReconcileCollectors,
  listReconcileResults,
  recordReconcileResult,
} from "../../reconcile/reconcile-results";

export const reconcileRouter = createTRPCRouter({
  /** 15 statements, counts of every table. */
  counts: collectorReadProcedure
    .meta({ cost: 15 })
    .input(reconcileCountsInputSchema)
    .query(({ ctx, input }) => reconcileCounts(ctx.db, { ...input, principal: ctx.principal })),
  /** Content reconcile: count and checksum per segment, one scan of the collector's rows. */
  segments: collectorReadProcedure
    .meta({ cost: 15 })
    .input(deepSegmentsInputSchema)
    .query(({ ctx, input }) => deepSegments(ctx.db, { input, principal: ctx.principal })),
  /** Content reconcile: the row hashes of a few segments, a page at a time. */
  rowHashes: collectorReadProcedure
    .meta({ cost: 15 })
    .input(deepRowHashesInputSchema)
    .query(({ ctx, input }) => deepRowHashes(ctx.db, { input, principal: ctx.principal })),
  record: ingestProcedure
    .input(reconcileRecordSchema)
    .mutation(({ ctx, input }) => recordReconcileResult(ctx.db, { input, principal: ctx.principal })),
  history: readerProcedure.input(reconcileHistorySchema).query(({ ctx, input }) => listReconcileResults(ctx.db, input)),
  collectors: readerProcedure.query(({ ctx }) => listReconcileCollectors(ctx.db)),
});
