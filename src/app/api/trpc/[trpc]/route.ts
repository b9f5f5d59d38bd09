import { fetchRequestHandler } from "@trpc/server/adapters/fetch";
import { TRPCError } from "@trpc/server";
import { env } from "~/env";
import { appRouter } from "~/server/api/root";
import { createRequestContext } from "~/server/api/context";
import { AppError } from "~/server/errors";
import {
  isAnonymousCall,
  MAX_BATCH_SIZE,
  readTrpcBody,
  trpcCalls,
  trpcErrorResponse,
  type TrpcCalls,
} from "~/server/http/trpc-request";
import { admitRequest } from "~/server/http/credential-concurrency";
import { unauthenticatedError, type InnerContext } from "~/server/api/trpc";

export const dynamic = "force-dynamic";

async function handler(req: Request) {
  const calls = trpcCalls(req);
  let release: () => void;
  try {
    release = admitRequest(req.headers, env().CONCURRENT_REQUESTS_PER_KEY);
  } catch (error) {
    if (error instanceof AppError) return trpcErrorResponse(calls, error);
    throw error;
  }
  try {
    return await handle(req, calls);
  } finally {
    release();
  }
}

async function handle(req: Request, calls: TrpcCalls) {
  if (calls.paths.length > MAX_BATCH_SIZE) {
    return trpcErrorResponse(calls, {
      code: "BAD_REQUEST",
      message: `A batch may hold at most ${MAX_BATCH_SIZE} calls; this one has ${calls.paths.length}: split it.`,
    });
  }
  // Who is calling, from the headers alone: an anonymous caller's body is never read.
  let ctx: InnerContext;
  try {
    ctx = await createRequestContext(req.headers);
  } catch (error) {
    if (!(error instanceof TRPCError)) throw error;
    const retryAfterSeconds = error.cause instanceof AppError ? error.cause.details?.retryAfterSeconds : undefined;
    return trpcErrorResponse(calls, { code: error.code, message: error.message, retryAfterSeconds });
  }
  if (!ctx.principal && !isAnonymousCall(req, calls)) {
    const refusal = unauthenticatedError(ctx);
    return trpcErrorResponse(calls, { code: refusal.code, message: refusal.message });
  }

  let request = req;
  if (req.method === "POST") {
    // The fetch adapter has no body limit of its own: enforce ours first.
    const read = await readTrpcBody(req, calls, env().INGEST_MAX_BODY_BYTES);
    if ("refusal" in read) return read.refusal;
    request = read.request;
    // The idempotency hash of an ingest batch is taken over the bytes as sent (one call per request).
    if (!calls.isBatch) ctx = { ...ctx, requestBody: read.body };
  }
  return fetchRequestHandler({
    endpoint: "/api/trpc",
    req: request,
    router: appRouter,
    maxBatchSize: MAX_BATCH_SIZE,
    // The collector sends queries as POST (long key lists); reads stay reads: CSRF rules key on the procedure type, not the method.
    allowMethodOverride: true,
    createContext: () => ctx,
    responseMeta({ errors }) {
      const retryAfter = errors
        .map((e) => (e.cause instanceof AppError ? e.cause.details?.retryAfterSeconds : undefined))
        .find((v) => v !== undefined);
      return retryAfter ? { headers: new Headers({ "retry-after": String(retryAfter) }) } : {};
    },
  });
}

export { handler as GET, handler as POST };
