import { createTRPCRouter, publicProcedure } from "../trpc";
import { getOverviewSummary } from "../../overview/summary";

export const overviewRouter = createTRPCRouter({
  summary: publicProcedure.query(({ ctx }) => getOverviewSummary(ctx.db)),
});
