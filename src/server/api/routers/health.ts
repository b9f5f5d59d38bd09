import { env } from "~/env";
import { healthTimelineSchema } from "~/shared/schemas/queries";
import { createTRPCRouter, publicProcedure, readerProcedure } from "../trpc";
import { pingDatabase, sharedPing } from "../../health/ping";
import { listCollectorHealth } from "../../health/collector-health";
import { getHealthTimeline } from "../../health/health-timeline";

export const healthRouter = createTRPCRouter({
  /** Anonymous callers get the shared once-a-second ping; a key gets its own. */
  ping: publicProcedure.query(({ ctx }) => (ctx.principal ? pingDatabase(ctx.db) : sharedPing(ctx.db))),
  byCollector: readerProcedure.query(({ ctx }) =>
    listCollectorHealth(ctx.db, { alertThreshold: env().INGEST_ALERT_THRESHOLD }),
  ),
  timeline: readerProcedure
    .meta({ cost: 5 })
    .input(healthTimelineSchema)
    .query(({ ctx, input }) =>
      getHealthTimeline(ctx.db, { alertThreshold: env().INGEST_ALERT_THRESHOLD, hours: input.hours }),
    ),
});
