import { env } from "~/env";
import { createTRPCRouter, readerProcedure } from "../trpc";
import { getOverviewSummary } from "../../overview/summary";

export const overviewRouter = createTRPCRouter({
  summary: readerProcedure
    .meta({ cost: 5 })
    .query(({ ctx }) => getOverviewSummary(ctx.db, { alertThreshold: env().INGEST_ALERT_THRESHOLD })),
});
