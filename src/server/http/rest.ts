// REST routes are thin adapters over the tRPC procedures: they build the
// same context, call the same procedure through a server-side caller, and
// translate errors to `{ error: { code, message } }` with the HTTP status
// tRPC itself would use.
import { TRPCError } from "@trpc/server";
import { getHTTPStatusCodeFromError } from "@trpc/server/http";
import { ZodError } from "zod";
import { createRequestContext } from "../api/context";
import { createCaller } from "../api/root";
import { summariseZodError } from "../../shared/zod-errors";
import { internalErrorMessage, type InnerContext } from "../api/trpc";
import { AppError } from "../errors";
import { logger } from "../logger";
import { env } from "../../env";
import { admitRequest } from "./credential-concurrency";

type Caller = ReturnType<typeof createCaller>;

export function errorResponse(code: string, message: string, status: number, retryAfterSeconds?: number): Response {
  return Response.json(
    { error: { code, message } },
    { status, headers: retryAfterSeconds ? { "retry-after": String(retryAfterSeconds) } : {} },
  );
}

function toErrorResponse(error: unknown, requestId: string): Response {
  if (error instanceof AppError) {
    const trpc = new TRPCError({ code: error.code, message: error.message });
    return errorResponse(error.code, error.message, getHTTPStatusCodeFromError(trpc), error.details?.retryAfterSeconds);
  }
  if (error instanceof TRPCError && error.code !== "INTERNAL_SERVER_ERROR") {
    const message = error.cause instanceof ZodError ? summariseZodError(error.cause) : error.message;
    const retryAfter = error.cause instanceof AppError ? error.cause.details?.retryAfterSeconds : undefined;
    return errorResponse(error.code, message, getHTTPStatusCodeFromError(error), retryAfter);
  }
  logger.error({ err: error, requestId }, "REST route failed");
  return errorResponse("INTERNAL_SERVER_ERROR", internalErrorMessage(requestId), 500);
}

export function restRoute<P>(
  handler: (args: { caller: Caller; ctx: InnerContext; req: Request; params: P }) => Promise<unknown>,
) {
  return async (req: Request, context: { params: Promise<P> }): Promise<Response> => {
    const requestId = req.headers.get("x-request-id") ?? crypto.randomUUID();
    let release: () => void = () => undefined;
    try {
      release = admitRequest(req.headers, env().CONCURRENT_REQUESTS_PER_KEY);
      const ctx = await createRequestContext(req.headers, requestId);
      const caller = createCaller(ctx);
      const body = await handler({ caller, ctx, req, params: await context.params });
      return Response.json(body);
    } catch (error) {
      return toErrorResponse(error, requestId);
    } finally {
      release();
    }
  };
}
