import { postListSchema, postLookupSchema } from "~/shared/schemas/queries";
import { createTRPCRouter, readerProcedure } from "../trpc";
import { getPostByStatusId, listPosts } from "../../posts/post-queries";

export const postsRouter = createTRPCRouter({
  byStatusId: readerProcedure.input(postLookupSchema).query(({ ctx, input }) => getPostByStatusId(ctx.db, input.statusId)),
  list: readerProcedure.input(postListSchema).query(({ ctx, input }) => listPosts(ctx.db, input)),
});
