// Requests in flight per credential, per app instance, counted before any
// database work. One key's flood (600 concurrent searches) would otherwise
// queue thousands of key lookups and rate-limit updates on the shared pool,
// and a collector's ingest batch would wait behind all of them for a
// connection. Past the limit a request is refused at once with 429; requests
// without a credential are not counted here (they may only ping).
import { createHash } from "node:crypto";
import { readSessionToken } from "../auth/sessions";
import { AppError } from "../errors";

const IN_FLIGHT = Symbol.for("xmonitor.inFlightByCredential");
const holder = globalThis as unknown as { [IN_FLIGHT]?: Map<string, number> };

function credentialOf(headers: Headers): string | null {
  const presented = headers.get("authorization") ?? readSessionToken(headers.get("cookie"));
  return presented ? createHash("sha256").update(presented).digest("base64url") : null;
}

/**
 * Admits one request of its credential, or throws TOO_MANY_REQUESTS when that
 * credential already has `limit` in flight. Call the returned function when
 * the response is ready.
 */
export function admitRequest(headers: Headers, limit: number): () => void {
  const credential = credentialOf(headers);
  if (!credential) return () => undefined;
  const inFlight = (holder[IN_FLIGHT] ??= new Map<string, number>());
  const current = inFlight.get(credential) ?? 0;
  if (current >= limit) {
    throw new AppError(
      "TOO_MANY_REQUESTS",
      `Too many requests in flight for this key (${limit} at a time, CONCURRENT_REQUESTS_PER_KEY): wait for answers before sending more.`,
      { retryAfterSeconds: 1 },
    );
  }
  inFlight.set(credential, current + 1);
  let released = false;
  return () => {
    if (released) return;
    released = true;
    const left = (inFlight.get(credential) ?? 1) - 1;
    if (left > 0) inFlight.set(credential, left);
    else inFlight.delete(credential);
  };
}
