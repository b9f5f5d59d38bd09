// One error for every HTTP call the collector makes (the ingest server, X,
// an embeddings endpoint), carrying what the retry policy decides on, and
// one walker that finds a status behind wrapped errors (RetryError, tRPC).

/** A failed HTTP call. `status` is undefined when no answer arrived at all. */
export class HttpError extends Error {
  override name = "HttpError";
  constructor(
    message: string,
    readonly status: number | undefined,
    readonly retryAfterSeconds: number | undefined,
  ) {
    super(message);
  }
}

/** The Retry-After header in seconds, when it is a number (X and proxies send seconds). */
export function retryAfterHeader(response: Response): number | undefined {
  return retryAfterSeconds(response.headers.get("retry-after") ?? undefined);
}

/** A Retry-After value in seconds, when it is a number. */
export function retryAfterSeconds(header: string | undefined): number | undefined {
  if (header === undefined || header.trim() === "") return undefined;
  const seconds = Number(header);
  return Number.isFinite(seconds) && seconds >= 0 ? seconds : undefined;
}

const MAX_CAUSE_DEPTH = 6;

/** The error and its causes, outermost first (bounded: a cycle of causes cannot loop). */
export function* causeChain(error: unknown): Generator<Record<string, unknown>> {
  let current = error;
  for (let depth = 0; current && typeof current === "object" && depth < MAX_CAUSE_DEPTH; depth++) {
    const link = current as Record<string, unknown>;
    yield link;
    current = link.cause;
  }
}

/** The first HTTP status found along the cause chain, if any answer arrived. */
export function statusInChain(error: unknown): number | undefined {
  for (const link of causeChain(error)) {
    const status = link.status ?? link.statusCode;
    if (typeof status === "number") return status;
  }
  return undefined;
}
