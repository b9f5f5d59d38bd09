// The server's one error vocabulary. Services throw AppError; only the tRPC
// layer turns it into a TRPCError (and REST into an HTTP status), so services
// stay usable from scripts and tests.

export const appErrorCodes = [
  "BAD_REQUEST",
  "UNAUTHORIZED",
  "FORBIDDEN",
  "NOT_FOUND",
  "CONFLICT",
  "PAYLOAD_TOO_LARGE",
  "TOO_MANY_REQUESTS",
  "SERVICE_UNAVAILABLE",
] as const;

export type AppErrorCode = (typeof appErrorCodes)[number];

export class AppError extends Error {
  override name = "AppError";
  constructor(
    readonly code: AppErrorCode,
    message: string,
    readonly details?: { retryAfterSeconds?: number },
  ) {
    super(message);
  }
}

const connectionErrorCodes = new Set([
  "ECONNREFUSED",
  "ECONNRESET",
  "ETIMEDOUT",
  "EPIPE",
  "57P01", // admin_shutdown: backend terminated
  "57P02", // crash_shutdown
  "57P03", // cannot_connect_now (starting up / shutting down)
  "08000",
  "08001",
  "08003",
  "08006",
  "53300", // too_many_connections
  "P1001",
  "P1002",
  "P1017",
  "P2028", // Prisma transaction API error: its connection went away mid-transaction
]);

/** True when the error means "the database is not reachable right now". */
export function isDatabaseUnavailable(error: unknown): boolean {
  for (let e: unknown = error, depth = 0; e && depth < 6; depth++) {
    const candidate = e as { code?: unknown; cause?: unknown; message?: unknown; originalCode?: unknown };
    if (typeof candidate.code === "string" && connectionErrorCodes.has(candidate.code)) return true;
    if (typeof candidate.originalCode === "string" && connectionErrorCodes.has(candidate.originalCode)) return true;
    if (
      typeof candidate.message === "string" &&
      /Connection terminated|is not queryable|connect ECONNREFUSED|terminating connection|Can't reach database|Server has closed the connection|Connection closed|Transaction not found|database system is (shutting down|starting up)/i.test(
        candidate.message,
      )
    ) {
      return true;
    }
    e = candidate.cause;
  }
  return false;
}

/**
 * The database is up but had no time for this request: a statement ran past
 * its statement_timeout (57014), or no pool connection came free within the
 * wait timeout. Both answer 503 with Retry-After, like an outage, with what
 * to do differently.
 */
export function databaseBusyError(error: unknown): AppError | null {
  for (let e: unknown = error, depth = 0; e && depth < 6; depth++) {
    const candidate = e as { code?: unknown; message?: unknown; cause?: unknown };
    const message = typeof candidate.message === "string" ? candidate.message : "";
    if (candidate.code === "57014" || /canceling statement due to statement timeout/.test(message)) {
      return new AppError(
        "SERVICE_UNAVAILABLE",
        "The query took longer than the server allows (READ_STATEMENT_TIMEOUT_MS) and was stopped: narrow it (a time window, a longer search text) or retry later.",
        { retryAfterSeconds: 5 },
      );
    }
    if (/timeout exceeded when trying to connect/.test(message)) {
      return new AppError(
        "SERVICE_UNAVAILABLE",
        "The server is busy: no database connection came free in time (DATABASE_POOL_WAIT_MS). Retry in a few seconds.",
        { retryAfterSeconds: 2 },
      );
    }
    e = candidate.cause;
  }
  return null;
}
