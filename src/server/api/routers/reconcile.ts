import { reconcileCountsInputSchema } from "~/shared/schemas/ingest";
import { createTRPCRouter, readerProcedure } from "../trpc";
import { reconcileCounts } from "../../reconcile/reconcile-counts";

export const reconcileRouter = createTRPCRouter({
  counts: readerProcedure.input(reconcileCountsInputSchema).query(({ ctx, input }) => reconcileCounts(ctx.db, input)),
});
