// Bounded retries with exponential backoff and jitter, for calls to the
// ingest server (inside ServerClient), X and an embeddings endpoint. Jitter spreads the
// retries of many collectors so that a recovering server is not hit by all
// of them in the same second. Only failures that may pass on their own are
// retried: no answer at all, 5xx, 408, 409, 425 and 429; any other 4xx
// means the request itself is wrong and repeating it cannot help.

import { causeChain } from "./http-error";

export type Jitter = "full" | "decorrelated";

export type RetryInfo = { attempt: number; delayMs: number; error: unknown };

export type RetryOptions = {
  /** Attempts in total, the first included. Default 4. */
  maxAttempts?: number;
  /** Backoff before the first retry, before jitter. Default 1 s. */
  initialBackoffSeconds?: number;
  /** Upper bound of one backoff. Default 60 s. */
  maxBackoffSeconds?: number;
  /**
   * full: delay = random · min(max, initial · 2^(retry−1)).
   * decorrelated: delay = min(max, initial + random · (3 · previous − initial)), previous starting at initial.
   */
  jitter?: Jitter;
  /** A Retry-After above this ends the retries instead of stalling the run. Default 300 s. */
  maxRetryAfterSeconds?: number;
  random?: () => number;
  sleep?: (ms: number) => Promise<void>;
  /** Milliseconds since the epoch, for Retry-After given as an HTTP date. */
  now?: () => number;
  isRetryable?: (error: unknown) => boolean;
  onRetry?: (info: RetryInfo) => void;
};

export class RetryError extends Error {
  override name = "RetryError";
  constructor(
    message: string,
    readonly attempts: number,
    /** False when the last failure was one retrying cannot fix. */
    readonly retryable: boolean,
    override readonly cause: unknown,
  ) {
    super(message);
  }
}

const RETRYABLE_STATUS = new Set([408, 409, 425, 429]);
const NETWORK_CODES = new Set([
  "ECONNREFUSED",
  "ECONNRESET",
  "ECONNABORTED",
  "ETIMEDOUT",
  "EPIPE",
  "EHOSTUNREACH",
  "ENETUNREACH",
  "ENETDOWN",
  "EAI_AGAIN",
  "ENOTFOUND",
  "UND_ERR_CONNECT_TIMEOUT",
  "UND_ERR_HEADERS_TIMEOUT",
  "UND_ERR_BODY_TIMEOUT",
  "UND_ERR_SOCKET",
  "UND_ERR_CLOSED",
]);

type ErrorLike = {
  status?: unknown;
  statusCode?: unknown;
  retryAfterSeconds?: unknown;
  retryAfter?: unknown;
};

function isNetworkError(error: unknown): boolean {
  for (const link of causeChain(error)) {
    if (typeof link.code === "string" && NETWORK_CODES.has(link.code)) return true;
    if (link.name === "AbortError" || link.name === "TimeoutError") return true;
    // undici's fetch wraps every transport failure in TypeError("fetch failed").
    if (link instanceof TypeError && link.message === "fetch failed") return true;
  }
  return false;
}

export function isRetryableError(error: unknown): boolean {
  if (!error || typeof error !== "object") return false;
  const e = error as ErrorLike;
  const status = typeof e.status === "number" ? e.status : typeof e.statusCode === "number" ? e.statusCode : undefined;
  if (status !== undefined) return status >= 500 || RETRYABLE_STATUS.has(status);
  // An HttpError carries `status: undefined` when no answer arrived at all.
  if ("status" in e && e.status === undefined) return true;
  return isNetworkError(error);
}

/** The wait an error asks for, in seconds: `retryAfterSeconds`, or `retryAfter` as seconds or an HTTP date. */
export function retryAfterSecondsOf(error: unknown, now: number = Date.now()): number | undefined {
  if (!error || typeof error !== "object") return undefined;
  const e = error as ErrorLike;
  const value = e.retryAfterSeconds ?? e.retryAfter;
  if (typeof value === "number") return Number.isFinite(value) && value >= 0 ? value : undefined;
  if (typeof value !== "string" || value.trim() === "") return undefined;
  if (/^\d+(\.\d+)?$/.test(value.trim())) return Number(value);
  const date = Date.parse(value);
  return Number.isFinite(date) ? Math.max(0, (date - now) / 1000) : undefined;
}

/** The jittered backoff before retry number `retry` (1 for the first). */
export function backoffMs(options: {
  retry: number;
  previousMs: number;
  initialMs: number;
  maxMs: number;
  jitter: Jitter;
  random: () => number;
}): number {
  const { retry, previousMs, initialMs, maxMs, jitter, random } = options;
  if (jitter === "full") return random() * Math.min(maxMs, initialMs * 2 ** (retry - 1));
  return Math.min(maxMs, initialMs + random() * (Math.max(initialMs, previousMs) * 3 - initialMs));
}

const defaultSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

export async function retry<T>(fn: (attempt: number) => Promise<T>, options: RetryOptions = {}): Promise<T> {
  const maxAttempts = options.maxAttempts ?? 4;
  if (!Number.isInteger(maxAttempts) || maxAttempts < 1)
    throw new RangeError(`maxAttempts must be a positive integer, got ${maxAttempts}`);
  const initialMs = (options.initialBackoffSeconds ?? 1) * 1000;
  const maxMs = (options.maxBackoffSeconds ?? 60) * 1000;
  const maxRetryAfterMs = (options.maxRetryAfterSeconds ?? 300) * 1000;
  const jitter = options.jitter ?? "full";
  const random = options.random ?? Math.random;
  const sleep = options.sleep ?? defaultSleep;
  const now = options.now ?? Date.now;
  const retryable = options.isRetryable ?? isRetryableError;

  let previousMs = initialMs;
  for (let attempt = 1; ; attempt++) {
    try {
      return await fn(attempt);
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      if (!retryable(error))
        throw new RetryError(`${message} (not retryable, attempt ${attempt})`, attempt, false, error);
      if (attempt >= maxAttempts)
        throw new RetryError(`${message} (gave up after ${attempt} attempts)`, attempt, true, error);
      let delayMs = backoffMs({ retry: attempt, previousMs, initialMs, maxMs, jitter, random });
      previousMs = delayMs;
      const retryAfter = retryAfterSecondsOf(error, now());
      if (retryAfter !== undefined) {
        // The server said when it will take us again: never come back sooner.
        if (retryAfter * 1000 > maxRetryAfterMs)
          throw new RetryError(
            `${message} (server asks to retry after ${retryAfter} s, more than the ${maxRetryAfterMs / 1000} s allowed)`,
            attempt,
            true,
            error,
          );
        delayMs = Math.max(delayMs, retryAfter * 1000);
      }
      options.onRetry?.({ attempt, delayMs, error });
      await sleep(delayMs);
    }
  }
}
