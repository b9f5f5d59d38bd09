// tRPC is initialised here once. Everything else imports the router
// builder, the caller factory and the named base procedures from this file.
import { initTRPC, TRPCError } from "@trpc/server";
import { ZodError, z } from "zod";
import type { Db } from "../db";
import { AppError, databaseBusyError, isDatabaseUnavailable } from "../errors";
import { summariseZodError } from "../../shared/zod-errors";
import { logger } from "../logger";
import { consumeRateLimit } from "../auth/rate-limit";
import { env } from "../../env";
import type { Principal, Role } from "../auth/principal";
import { ConcurrencyGate } from "../concurrency-gate";
import { transformer } from "./plain-input";

/** Context without a request: what tests, scripts and the REST adapters build. */
export type InnerContext = {
  db: Db;
  principal: Principal | null;
  /** Why authentication failed, when a credential was presented but refused. */
  authError?: string;
  requestId: string;
  /** Requests per minute allowed per API key. */
  rateLimitPerMinute: number;
  /** How the principal was presented: a bearer key or the console's session cookie. */
  credential?: "bearer" | "session";
  /** The request proved it came from our own pages (custom header or same-origin Origin). */
  sameOrigin?: boolean;
  /** The request body as sent, for an unbatched call over HTTP (the ingest request hash). */
  requestBody?: Uint8Array;
  /** The NDJSON chunk of a bulk ingest call: set only by its REST route (POST /api/v1/ingest/bulk). */
  bulkBody?: Uint8Array;
};

export function createInnerContext(options: {
  db: Db;
  principal?: Principal | null;
  authError?: string;
  requestId?: string;
  rateLimitPerMinute?: number;
  credential?: "bearer" | "session";
  sameOrigin?: boolean;
}): InnerContext {
  return {
    db: options.db,
    rateLimitPerMinute: options.rateLimitPerMinute ?? env().RATE_LIMIT_PER_MINUTE,
    principal: options.principal ?? null,
    ...(options.authError ? { authError: options.authError } : {}),
    requestId: options.requestId ?? crypto.randomUUID(),
    ...(options.credential ? { credential: options.credential } : {}),
    ...(options.sameOrigin !== undefined ? { sameOrigin: options.sameOrigin } : {}),
  };
}

/** Per-procedure metadata: what one call weighs against its key's rate limit. */
export type ProcedureMeta = {
  /**
   * Rate-limit units one call uses (default 1, a lookup). Above 1 the call is
   * a heavy read: it also waits for a slot in the heavy-read gate, so heavy
   * reads never hold more than HEAVY_READ_CONCURRENCY pool connections.
   */
  cost?: number;
};

const t = initTRPC
  .context<InnerContext>()
  .meta<ProcedureMeta>()
  .create({
    transformer,
    errorFormatter({ shape, error, ctx }) {
      const zodError = error.cause instanceof ZodError ? error.cause : null;
      const retryAfter = error.cause instanceof AppError ? error.cause.details?.retryAfterSeconds : undefined;
      return {
        ...shape,
        // Internal error text (Prisma's, pg's) stays in the log: it names tables, queries and values.
        message: zodError
          ? summariseZodError(zodError)
          : error.code === "INTERNAL_SERVER_ERROR"
            ? internalErrorMessage(ctx?.requestId)
            : shape.message,
        data: {
          code: shape.data.code,
          httpStatus: shape.data.httpStatus,
          ...(shape.data.path ? { path: shape.data.path } : {}),
          ...(zodError ? { fieldErrors: z.flattenError(zodError).fieldErrors } : {}),
          ...(retryAfter !== undefined ? { retryAfterSeconds: retryAfter } : {}),
        },
      };
    },
  });

/** What a client sees of an unexpected failure; the log has the rest under the same request id. */
export function internalErrorMessage(requestId: string | undefined): string {
  return `Internal error${requestId ? ` (request ${requestId})` : ""}: see the server log.`;
}

export const createTRPCRouter = t.router;
export const createCallerFactory = t.createCallerFactory;

/** Maps service errors to tRPC codes and database outages to 503. */
const errorMapping = t.middleware(async ({ next, path, ctx }) => {
  const result = await next();
  if (result.ok) return result;
  const cause = result.error.cause;
  if (cause instanceof AppError) {
    throw new TRPCError({ code: cause.code, message: cause.message, cause });
  }
  const busy = databaseBusyError(cause ?? result.error);
  if (busy) {
    logger.warn({ path, requestId: ctx.requestId, err: String(cause ?? result.error) }, "database busy");
    throw new TRPCError({ code: "SERVICE_UNAVAILABLE", message: busy.message, cause: busy });
  }
  if (isDatabaseUnavailable(cause) || isDatabaseUnavailable(result.error)) {
    logger.warn({ path, requestId: ctx.requestId, err: String(cause ?? result.error) }, "database unavailable");
    throw new TRPCError({
      code: "SERVICE_UNAVAILABLE",
      message: "The database is unavailable right now; retry in a few seconds. Nothing from this request was written.",
      cause: new AppError("SERVICE_UNAVAILABLE", "database unavailable", { retryAfterSeconds: 5 }),
    });
  }
  if (result.error.code === "INTERNAL_SERVER_ERROR") {
    logger.error({ path, requestId: ctx.requestId, err: cause ?? result.error }, "procedure failed");
  }
  return result;
});

/**
 * CSRF: a browser attaches the session cookie to any site's request, so a
 * state-changing call authenticated by the cookie must prove it came from
 * our pages. Bearer keys are never sent implicitly and need no such proof.
 */
const csrfCheck = t.middleware(async ({ ctx, type, next }) => {
  if (type === "mutation" && ctx.credential === "session" && !ctx.sameOrigin) {
    throw new TRPCError({
      code: "FORBIDDEN",
      message:
        "Cross-site request refused: console changes must come from the console itself (missing x-xmonitor-csrf header or same-origin Origin).",
    });
  }
  return next();
});

export const publicProcedure = t.procedure.use(errorMapping).use(csrfCheck);

/** The 401 for a request without a usable credential, saying what to send. */
export function unauthenticatedError(ctx: Pick<InnerContext, "authError">): TRPCError {
  return new TRPCError({
    code: "UNAUTHORIZED",
    message:
      ctx.authError ??
      "Authentication required: send `Authorization: Bearer <api key>` (create one with `npm run keys -- create`), or sign in to the console at /login.",
  });
}

const HEAVY_READS = Symbol.for("xmonitor.heavyReadGate");
/** One gate per process (Next may load this module more than once). */
function heavyReadGate(): ConcurrencyGate {
  const holder = globalThis as unknown as { [HEAVY_READS]?: ConcurrencyGate };
  return (holder[HEAVY_READS] ??= new ConcurrencyGate(env().HEAVY_READ_CONCURRENCY));
}

function requireRole(allowed: readonly Role[]) {
  return publicProcedure.use(async ({ ctx, meta, next }) => {
    if (!ctx.principal) throw unauthenticatedError(ctx);
    const cost = meta?.cost ?? 1;
    if (ctx.principal.apiKeyId) {
      await consumeRateLimit(ctx.db, {
        apiKeyId: ctx.principal.apiKeyId,
        limitPerMinute: ctx.rateLimitPerMinute,
        cost,
      });
    }
    if (!allowed.includes(ctx.principal.role)) {
      throw new TRPCError({
        code: "FORBIDDEN",
        message: `This needs a key with role ${allowed.join(" or ")}; key ${ctx.principal.keyPrefix} has role ${ctx.principal.role}.`,
      });
    }
    const principal = ctx.principal;
    const proceed = () => next({ ctx: { ...ctx, principal } });
    if (cost <= 1) return proceed();
    return heavyReadGate().run(proceed, {
      waitMs: env().DATABASE_POOL_WAIT_MS,
      busyMessage:
        "The server is busy with other searches and counts (HEAVY_READ_CONCURRENCY at a time): retry in a few seconds.",
    });
  });
}

/** The console's reads: people's keys (reader, admin). Ingest keys live on collector machines and read only what the collector needs. */
export const readerProcedure = requireRole(["admin", "reader"]);
/** Reads the collector itself makes (reconcile counts, spot-check rows, a run's reports): every role. */
export const collectorReadProcedure = requireRole(["admin", "ingest", "reader"]);
/** The collector's writes (and admin); services also check a bound key's collector (auth/collector-binding.ts). */
export const ingestProcedure = requireRole(["admin", "ingest"]);
export const adminProcedure = requireRole(["admin"]);
