import { removalListSchema, runByIdSchema, runListSchema, runRemovalSchema } from "~/shared/schemas/queries";
import { adminProcedure, collectorReadProcedure, createTRPCRouter, readerProcedure } from "../trpc";
import { getRunById, listRuns } from "../../runs/run-queries";
import { listRemovals, previewRunRemoval, removeRun } from "../../removals/remove-run";

export const runsRouter = createTRPCRouter({
  list: readerProcedure.input(runListSchema).query(({ ctx, input }) => listRuns(ctx.db, input)),
  /** Also the collector's: cutover validate asks which reports the server holds for a run. */
  byId: collectorReadProcedure.input(runByIdSchema).query(({ ctx, input }) => getRunById(ctx.db, input.runId, input)),
  removalPreview: adminProcedure
    .input(runByIdSchema)
    .query(({ ctx, input }) => previewRunRemoval(ctx.db, input.runId, input)),
  remove: adminProcedure.input(runRemovalSchema).mutation(({ ctx, input }) => removeRun(ctx.db, ctx.principal, input)),
  removals: readerProcedure.input(removalListSchema).query(({ ctx, input }) => listRemovals(ctx.db, input)),
});
