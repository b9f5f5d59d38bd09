// The one place configuration is read. Parsed with zod at start-up so that a
// bad value stops the process with a single line naming the variable,
// instead of failing later in some request.
import { z } from "zod";
import { pgConnectionFields } from "./server/db-connection";

const postgresUrl = z.string().superRefine((value, ctx) => {
  try {
    pgConnectionFields(value);
  } catch (error) {
    ctx.addIssue({ code: "custom", message: (error as Error).message.replace(/^DATABASE_URL /, "") });
  }
});

const positiveInt = (fallback: number) => z.coerce.number().int().positive().default(fallback);

export const envSchema = z.object({
  NODE_ENV: z.enum(["development", "test", "production"]).default("development"),
  /** Unset: the start script runs an embedded PostgreSQL under XMONITOR_DATA_DIR. */
  DATABASE_URL: postgresUrl.optional(),
  XMONITOR_DATA_DIR: z.string().min(1).default("data"),
  XMONITOR_EMBEDDED_PG_PORT: z.coerce.number().int().min(1024).max(65535).default(54329),
  PORT: z.coerce.number().int().min(1).max(65535).default(3000),
  LOG_LEVEL: z.enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"]).default("info"),
  /**
   * Seed demo data when the database is empty at start-up. Unset: only the
   * embedded database is seeded; a DATABASE_URL one is real data's home (an
   * empty one is about to receive a cutover) and is left empty.
   */
  XMONITOR_SEED_ON_EMPTY: z
    .enum(["true", "false", "1", "0"])
    .optional()
    .transform((v) => (v === undefined ? undefined : v === "true" || v === "1")),
  /** Largest accepted request body on the ingest routes, in bytes. */
  INGEST_MAX_BODY_BYTES: positiveInt(8 * 1024 * 1024),
  /** Requests per minute allowed for one API key, shared by every app instance. */
  RATE_LIMIT_PER_MINUTE: positiveInt(600),
  /** Connections in the app's one pool (Prisma and the raw statements share it). */
  DATABASE_POOL_SIZE: positiveInt(10),
  /** statement_timeout of the app's reads; a longer read answers 503 (ingest sets its own, 120 s). */
  READ_STATEMENT_TIMEOUT_MS: positiveInt(5_000),
  /** How long a request waits for a free pool connection before it answers 503. */
  DATABASE_POOL_WAIT_MS: positiveInt(3_000),
  /** Searches and counts that may run at once per app instance; the rest wait (DATABASE_POOL_WAIT_MS), then answer 503. */
  HEAVY_READ_CONCURRENCY: positiveInt(2),
  /** Rejected items stored with their raw item per batch (the first ones); the rest are only counted. */
  INGEST_REJECTS_STORED_PER_BATCH: positiveInt(1000),
  /** Days a stored reject is kept; older ones are trimmed in the background as batches arrive. */
  INGEST_REJECTS_RETENTION_DAYS: positiveInt(30),
  /** Failed console sign-ins allowed per client address and minute. */
  SIGN_IN_FAILURES_PER_MINUTE: positiveInt(10),
  /** Proxies in front of the app that append to X-Forwarded-For (0: clients connect directly). */
  TRUSTED_PROXY_HOPS: z.coerce.number().int().min(0).max(10).default(0),
  /** Session cookie Secure flag: auto (Secure except plain http on loopback), always, never. */
  SESSION_COOKIE_SECURE: z.enum(["auto", "always", "never"]).default("auto"),
  /** Requests one key (or console session) may have in flight per app instance; more answer 429 at once. */
  CONCURRENT_REQUESTS_PER_KEY: positiveInt(16),
  /**
   * How far ahead of the server clock an item's times may be (clock skew
   * between machines); a later time is a per-item reject, because rows only
   * move forward and a far-future version could never be corrected.
   */
  INGEST_MAX_FUTURE_SKEW_SECONDS: positiveInt(300),
  /** Consecutive failed ingest cycles that put a collector and mode in alert. */
  INGEST_ALERT_THRESHOLD: positiveInt(2),
});

export type Env = z.infer<typeof envSchema>;

export class EnvError extends Error {
  override name = "EnvError";
}

export function parseEnv(source: Record<string, string | undefined>): Env {
  // Empty strings mean "unset": shells and .env files produce them often.
  const cleaned = Object.fromEntries(Object.entries(source).filter(([, v]) => v !== undefined && v !== ""));
  const result = envSchema.safeParse(cleaned);
  if (result.success) return result.data;
  const problems = result.error.issues.map((issue) => {
    const name = issue.path.join(".");
    const got = cleaned[name];
    const shown = got === undefined || name === "DATABASE_URL" ? "" : ` (got "${got}")`;
    return `${name}: ${issue.message}${shown}`;
  });
  throw new EnvError(`Invalid environment: ${problems.join("; ")}. See .env.example.`);
}

let cached: Env | undefined;

/** The validated environment of this process (parsed once). */
export function env(): Env {
  cached ??= parseEnv(process.env);
  return cached;
}
