import { env } from "~/env";
import { createTRPCRouter, publicProcedure, readerProcedure } from "../trpc";
import { pingDatabase } from "../../health/ping";
import { listCollectorHealth } from "../../health/collector-health";

export const healthRouter = createTRPCRouter({
  ping: publicProcedure.query(({ ctx }) => pingDatabase(ctx.db)),
  byCollector: readerProcedure.query(({ ctx }) => listCollectorHealth(ctx.db, { alertThreshold: env().INGEST_ALERT_THRESHOLD })),
});
