import { createCallerFactory, createTRPCRouter } from "./trpc";
import { cutoverRouter } from "./routers/cutover";
import { healthRouter } from "./routers/health";
import { ingestRouter } from "./routers/ingest";
import { keysRouter } from "./routers/keys";
import { overviewRouter } from "./routers/overview";
import { postsRouter } from "./routers/posts";
import { reconcileRouter } from "./routers/reconcile";
import { runsRouter } from "./routers/runs";

export const appRouter = createTRPCRouter({
  cutover: cutoverRouter,
  health: healthRouter,
  ingest: ingestRouter,
  keys: keysRouter,
  overview: overviewRouter,
  posts: postsRouter,
  reconcile: reconcileRouter,
  runs: runsRouter,
});

export type AppRouter = typeof appRouter;

export const createCaller = createCallerFactory(appRouter);
