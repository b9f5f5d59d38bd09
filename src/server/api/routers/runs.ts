import { runByIdSchema, runListSchema } from "~/shared/schemas/queries";
import { createTRPCRouter, readerProcedure } from "../trpc";
import { getRunById, listRuns } from "../../runs/run-queries";

export const runsRouter = createTRPCRouter({
  list: readerProcedure.input(runListSchema).query(({ ctx, input }) => listRuns(ctx.db, input)),
  byId: readerProcedure.input(runByIdSchema).query(({ ctx, input }) => getRunById(ctx.db, input.runId)),
});
