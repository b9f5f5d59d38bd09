import { env } from "~/env";
import { healthTimelineSchema } from "~/shared/schemas/queries";
import { createTRPCRouter, publicProcedure, readerProcedure } from "../trpc";
import { pingDatabase } from "../../health/ping";
import { listCollectorHealth } from "../../health/collector-health";
import { getHealthTimeline } from "../../health/health-timeline";

export const healthRouter = createTRPCRouter({
  ping: publicProcedure.query(({ ctx }) => pingDatabase(ctx.db)),
  byCollector: readerProcedure.query(({ ctx }) =>
    listCollectorHealth(ctx.db, { alertThreshold: env().INGEST_ALERT_THRESHOLD }),
  ),
  timeline: readerProcedure
    .input(healthTimelineSchema)
    .query(({ ctx, input }) =>
      getHealthTimeline(ctx.db, { alertThreshold: env().INGEST_ALERT_THRESHOLD, hours: input.hours }),
    ),
});
