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
