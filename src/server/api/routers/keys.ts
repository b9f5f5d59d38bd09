import { apiKeyCreateSchema, apiKeyRevokeSchema } from "~/shared/schemas/queries";
import { adminProcedure, createTRPCRouter } from "../trpc";
import { createApiKey, listApiKeys, revokeApiKey } from "../../auth/api-keys";

export const keysRouter = createTRPCRouter({
  list: adminProcedure.query(({ ctx }) => listApiKeys(ctx.db)),
  create: adminProcedure.input(apiKeyCreateSchema).mutation(({ ctx, input }) => createApiKey(ctx.db, input)),
  revoke: adminProcedure.input(apiKeyRevokeSchema).mutation(({ ctx, input }) => revokeApiKey(ctx.db, input.prefix)),
});
