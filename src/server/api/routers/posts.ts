import { postListSchema, postLookupSchema } from "~/shared/schemas/queries";
import { collectorReadProcedure, createTRPCRouter, readerProcedure } from "../trpc";
import { getPostByStatusId, listPosts } from "../../posts/post-queries";
import { getPostSpotCheck } from "../../posts/post-spot-check";

export const postsRouter = createTRPCRouter({
  /** Also the collector's: cutover validate spot-checks posts through GET /api/v1/posts/{statusId}. */
  byStatusId: collectorReadProcedure
    .input(postLookupSchema)
    .query(({ ctx, input }) => getPostByStatusId(ctx.db, input.statusId)),
  // A text search reads bodies: the heaviest call a reader has.
  list: readerProcedure
    .meta({ cost: 10 })
    .input(postListSchema)
    .query(({ ctx, input }) => listPosts(ctx.db, input)),
  /** The console's spot check: the post plus what cites it and its ingest history. */
  spotCheck: readerProcedure
    .meta({ cost: 5 })
    .input(postLookupSchema)
    .query(({ ctx, input }) => getPostSpotCheck(ctx.db, input)),
});
