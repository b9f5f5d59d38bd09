// Failed console sign-ins per client, counted in the same PostgreSQL windows
// as the per-key limits so every app instance shares them. A client is its
// network address, taken from X-Forwarded-For as configured: with
// TRUSTED_PROXY_HOPS=n the n-th entry from the right (the one the nearest
// trusted proxy appended); with 0 the last entry, which Next fills from the
// socket when the client sent none (a client talking to the app directly can
// choose its own: deploy behind a proxy and set the hop count).
import { createHash } from "node:crypto";
import { sqlPool, type Db } from "../db";
import { AppError } from "../errors";
import { consumeRateLimit } from "./rate-limit";

export function clientAddress(headers: Headers, trustedProxyHops: number): string {
  const entries = (headers.get("x-forwarded-for") ?? "")
    .split(",")
    .map((e) => e.trim())
    .filter(Boolean);
  if (entries.length === 0) return "unknown";
  return entries[Math.max(0, entries.length - Math.max(1, trustedProxyHops))]!;
}

/** The window row of a client: a UUID derived from its address (the table is keyed by UUID). */
function bucketOf(client: string): string {
  const hex = createHash("sha256").update(`sign-in:${client}`).digest("hex");
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20, 32)}`;
}

const WINDOW_MS = 60_000;

function tooMany(limitPerMinute: number, now: number): AppError {
  const retryAfterSeconds = Math.max(1, Math.ceil((WINDOW_MS - (now % WINDOW_MS)) / 1000));
  return new AppError(
    "TOO_MANY_REQUESTS",
    `Too many failed sign-ins from this address (${limitPerMinute} a minute): wait ${retryAfterSeconds} s, then paste the whole key again.`,
    { retryAfterSeconds },
  );
}

/** Refuses a sign-in before the key is even looked at when this client has failed too often this minute. */
export async function assertSignInAllowed(
  db: Db,
  options: { client: string; limitPerMinute: number; now?: number },
): Promise<void> {
  const now = options.now ?? Date.now();
  const { rows } = await sqlPool(db).query<{ count: number }>(
    "select count from rate_limit_windows where api_key_id = $1 and window_start = $2",
    [bucketOf(options.client), new Date(now - (now % WINDOW_MS))],
  );
  if ((rows[0]?.count ?? 0) >= options.limitPerMinute) throw tooMany(options.limitPerMinute, now);
}

/** Counts one failed sign-in for this client. */
export async function recordFailedSignIn(
  db: Db,
  options: { client: string; limitPerMinute: number; now?: number },
): Promise<void> {
  const now = options.now ?? Date.now();
  try {
    await consumeRateLimit(db, { apiKeyId: bucketOf(options.client), limitPerMinute: options.limitPerMinute, now });
  } catch (error) {
    if (error instanceof AppError && error.code === "TOO_MANY_REQUESTS") throw tooMany(options.limitPerMinute, now);
    throw error;
  }
}
