import { reconcileCountsInputSchema, reconcileHistorySchema, reconcileRecordSchema } from "~/shared/schemas/ingest";
import { collectorReadProcedure, createTRPCRouter, ingestProcedure, readerProcedure } from "../trpc";
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
  record: ingestProcedure
    .input(reconcileRecordSchema)
    .mutation(({ ctx, input }) => recordReconcileResult(ctx.db, { input, principal: ctx.principal })),
  history: readerProcedure.input(reconcileHistorySchema).query(({ ctx, input }) => listReconcileResults(ctx.db, input)),
  collectors: readerProcedure.query(({ ctx }) => listReconcileCollectors(ctx.db)),
});
