// The request wrapper around the inner context: resolves the credential.
// Two are accepted: `Authorization: Bearer <api key>` (collectors, scripts)
// and the console's session cookie (browsers). A bearer header wins when
// both are sent. Cookie-authenticated calls are what a forged cross-site
// request would carry, so the context also records whether the request
// proves it came from our own pages (see `csrfCheck` in trpc.ts).
import { TRPCError } from "@trpc/server";
import { getDb } from "../db";
import { authenticateApiKey, type Authentication } from "../auth/api-keys";
import { readSessionToken, resolveConsoleSession } from "../auth/sessions";
import { AppError, databaseBusyError, isDatabaseUnavailable } from "../errors";
import { createInnerContext, type InnerContext } from "./trpc";

export const CSRF_HEADER = "x-xmonitor-csrf";

/** True when a browser could only have sent this request from our own origin. */
export function isSameOriginRequest(headers: Headers): boolean {
  // Browsers never let another site set a custom header without a CORS preflight, which we never grant.
  if (headers.get(CSRF_HEADER) === "1") return true;
  const origin = headers.get("origin");
  const host = headers.get("x-forwarded-host") ?? headers.get("host");
  if (!origin || !host) return false;
  try {
    return new URL(origin).host === host.split(",")[0]!.trim();
  } catch {
    return false;
  }
}

async function authenticate(
  headers: Headers,
): Promise<{ auth: Authentication | null; credential?: "bearer" | "session" }> {
  const db = getDb();
  const bearer = headers.get("authorization");
  if (bearer) return { auth: await authenticateApiKey(db, bearer), credential: "bearer" };
  const token = readSessionToken(headers.get("cookie"));
  if (!token) return { auth: null };
  const principal = await resolveConsoleSession(db, { token });
  return {
    auth: principal
      ? { principal }
      : {
          principal: null,
          error: "Your console session has ended (expired, signed out or key revoked): sign in again at /login.",
        },
    credential: "session",
  };
}

export async function createRequestContext(
  headers: Headers,
  requestId = headers.get("x-request-id") ?? crypto.randomUUID(),
): Promise<InnerContext> {
  const db = getDb();
  let resolved: Awaited<ReturnType<typeof authenticate>>;
  try {
    resolved = await authenticate(headers);
  } catch (error) {
    const busy = databaseBusyError(error);
    if (busy) throw new TRPCError({ code: "SERVICE_UNAVAILABLE", message: busy.message, cause: busy });
    if (!isDatabaseUnavailable(error)) throw error;
    throw new TRPCError({
      code: "SERVICE_UNAVAILABLE",
      message: "The database is unavailable right now; retry in a few seconds. Nothing from this request was written.",
      cause: new AppError("SERVICE_UNAVAILABLE", "database unavailable", { retryAfterSeconds: 5 }),
    });
  }
  const { auth, credential } = resolved;
  return createInnerContext({
    db,
    principal: auth?.principal ?? null,
    ...(auth && !auth.principal ? { authError: auth.error } : {}),
    requestId,
    ...(credential ? { credential } : {}),
    sameOrigin: isSameOriginRequest(headers),
  });
}
