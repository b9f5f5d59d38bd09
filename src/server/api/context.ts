// The request wrapper around the inner context: resolves the bearer key.
import { getDb } from "../db";
import { authenticateApiKey } from "../auth/api-keys";
import { createInnerContext, type InnerContext } from "./trpc";

export async function createRequestContext(headers: Headers): Promise<InnerContext> {
  const db = getDb();
  const auth = await authenticateApiKey(db, headers.get("authorization"));
  return createInnerContext({
    db,
    principal: auth?.principal ?? null,
    ...(auth && !auth.principal ? { authError: auth.error } : {}),
    requestId: headers.get("x-request-id") ?? crypto.randomUUID(),
  });
}
