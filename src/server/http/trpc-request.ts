// What the tRPC route checks before tRPC sees a request, cheapest first: the
// number of calls (from the URL), the caller (from the headers), and only
// then the body. An anonymous request never has its body read; the one call
// it may make is an unbatched `health.ping`.
import { TRPCError } from "@trpc/server";
import { getHTTPStatusCodeFromError } from "@trpc/server/http";
import { TRPC_ERROR_CODES_BY_KEY } from "@trpc/server/rpc";
import superjson from "superjson";
import { assertPlainInputBody } from "../api/plain-input";
import { AppError } from "../errors";
import { jsonTextNestsDeeperThan } from "../../shared/json-budget";
import { readBodyBytesWithLimit } from "./read-body";
import { MAX_BATCH_SIZE } from "../../shared/request-limits";

export { MAX_BATCH_SIZE };
/** Deeper JSON than any input has (an ingest item's raw X payload nests about 10 levels). */
export const MAX_INPUT_NESTING = 100;

export const ANONYMOUS_PATH = "health.ping";

export type TrpcCalls = { paths: string[]; isBatch: boolean };

export function trpcCalls(req: Request): TrpcCalls {
  const url = new URL(req.url);
  const isBatch = url.searchParams.get("batch") === "1";
  let joined: string;
  try {
    joined = decodeURIComponent(url.pathname.replace(/^\/api\/trpc\/?/, ""));
  } catch {
    joined = url.pathname;
  }
  return { paths: isBatch ? joined.split(",") : [joined], isBatch };
}

/** The one call a request without a credential may make. */
export function isAnonymousCall(req: Request, calls: TrpcCalls): boolean {
  return req.method === "GET" && !calls.isBatch && calls.paths[0] === ANONYMOUS_PATH;
}

/**
 * An error in tRPC's own response shape (through the transformer, one entry
 * per call of a batch), so tRPC clients show the message instead of failing
 * to read the response.
 */
export function trpcErrorResponse(
  calls: TrpcCalls,
  refusal: AppError | { code: TRPCError["code"]; message: string; retryAfterSeconds?: number | undefined },
): Response {
  const error =
    refusal instanceof AppError
      ? { code: refusal.code, message: refusal.message, retryAfterSeconds: refusal.details?.retryAfterSeconds }
      : refusal;
  const httpStatus = getHTTPStatusCodeFromError(new TRPCError({ code: error.code }));
  const shape = (path: string) => ({
    error: superjson.serialize({
      message: error.message,
      code: TRPC_ERROR_CODES_BY_KEY[error.code],
      data: {
        code: error.code,
        httpStatus,
        path,
        ...(error.retryAfterSeconds !== undefined ? { retryAfterSeconds: error.retryAfterSeconds } : {}),
      },
    }),
  });
  // A refused oversized batch answers once, not once per claimed call.
  const paths = calls.paths.slice(0, MAX_BATCH_SIZE);
  return Response.json(calls.isBatch ? paths.map(shape) : shape(paths[0] ?? ""), {
    status: httpStatus,
    headers: error.retryAfterSeconds !== undefined ? { "retry-after": String(error.retryAfterSeconds) } : {},
  });
}

export type ReadBody = { request: Request; body: Uint8Array } | { refusal: Response };

/**
 * Reads a POST body for tRPC, within the byte limit, and checks it before
 * anything else works on it: nesting (JSON.parse alone takes seconds on
 * megabytes of brackets), then JSON, then superjson's envelopes (plain JSON
 * only). tRPC gets a request that hands it the parsed value, so the body is
 * parsed once.
 */
export async function readTrpcBody(req: Request, calls: TrpcCalls, maxBytes: number): Promise<ReadBody> {
  let body: Uint8Array<ArrayBuffer>;
  try {
    body = await readBodyBytesWithLimit(req, maxBytes);
  } catch (error) {
    if (error instanceof AppError) return { refusal: trpcErrorResponse(calls, error) };
    throw error;
  }
  const request = new Request(req.url, { method: "POST", headers: req.headers, body });
  if (!(req.headers.get("content-type") ?? "").toLowerCase().startsWith("application/json")) return { request, body };
  if (jsonTextNestsDeeperThan(body, MAX_INPUT_NESTING)) {
    return {
      refusal: trpcErrorResponse(calls, {
        code: "BAD_REQUEST",
        message: `Input refused: JSON nested deeper than ${MAX_INPUT_NESTING} levels.`,
      }),
    };
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(body.buffer, body.byteOffset, body.byteLength).toString("utf8"));
    assertPlainInputBody(parsed, calls.isBatch);
  } catch (error) {
    if (error instanceof SyntaxError)
      return { refusal: trpcErrorResponse(calls, { code: "PARSE_ERROR", message: "The request body is not JSON." }) };
    if (error instanceof TRPCError) return { refusal: trpcErrorResponse(calls, error) };
    throw error;
  }
  // tRPC reads JSON bodies with req.json(): give it the value already parsed.
  Object.defineProperty(request, "json", { value: () => Promise.resolve(parsed) });
  return { request, body };
}
