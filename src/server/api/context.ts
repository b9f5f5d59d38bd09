// The request wrapper around the inner context: resolves the bearer key.
import { TRPCError } from "@trpc/server";
import { getDb } from "../db";
import { authenticateApiKey } from "../auth/api-keys";
import { AppError, isDatabaseUnavailable } from "../errors";
import { createInnerContext, type InnerContext } from "./trpc";

export async function createRequestContext(headers: Headers): Promise<InnerContext> {
  const db = getDb();
  let auth: Awaited<ReturnType<typeof authenticateApiKey>>;
  try {
    auth = await authenticateApiKey(db, headers.get("authorization"));
  } catch (error) {
    if (!isDatabaseUnavailable(error)) throw error;
    throw new TRPCError({
      code: "SERVICE_UNAVAILABLE",
      message: "The database is unavailable right now; retry in a few seconds. Nothing from this request was written.",
      cause: new AppError("SERVICE_UNAVAILABLE", "database unavailable", { retryAfterSeconds: 5 }),
    });
  }
  return createInnerContext({
    db,
    principal: auth?.principal ?? null,
    ...(auth && !auth.principal ? { authError: auth.error } : {}),
    requestId: headers.get("x-request-id") ?? crypto.randomUUID(),
  });
}
