import { fetchRequestHandler } from "@trpc/server/adapters/fetch";
import { TRPC_ERROR_CODES_BY_KEY } from "@trpc/server/rpc";
import superjson from "superjson";
import { env } from "~/env";
import { appRouter } from "~/server/api/root";
import { createRequestContext } from "~/server/api/context";
import { AppError } from "~/server/errors";
import { readBodyBytesWithLimit } from "~/server/http/read-body";

export const dynamic = "force-dynamic";

/**
 * The 413 in tRPC's own error shape (through the transformer, one entry per
 * call of a batch), so tRPC clients show the message instead of failing to
 * read the response: the limit is checked before tRPC sees the request.
 */
function payloadTooLargeResponse(req: Request, message: string): Response {
  const url = new URL(req.url);
  const paths = decodeURIComponent(url.pathname.replace(/^\/api\/trpc\/?/, "")).split(",");
  const error = (path: string) => ({
    error: superjson.serialize({
      message,
      code: TRPC_ERROR_CODES_BY_KEY.PAYLOAD_TOO_LARGE,
      data: { code: "PAYLOAD_TOO_LARGE", httpStatus: 413, path },
    }),
  });
  return Response.json(url.searchParams.get("batch") ? paths.map(error) : error(paths[0]!), { status: 413 });
}

async function handler(req: Request) {
  let request = req;
  if (req.method === "POST") {
    // The fetch adapter has no body limit of its own: enforce ours first.
    try {
      const body = await readBodyBytesWithLimit(req, env().INGEST_MAX_BODY_BYTES);
      request = new Request(req.url, { method: "POST", headers: req.headers, body });
    } catch (error) {
      if (error instanceof AppError) return payloadTooLargeResponse(req, error.message);
      throw error;
    }
  }
  return fetchRequestHandler({
    endpoint: "/api/trpc",
    req: request,
    router: appRouter,
    // The collector sends queries as POST (long key lists); reads stay reads: CSRF rules key on the procedure type, not the method.
    allowMethodOverride: true,
    createContext: () => createRequestContext(request.headers),
    responseMeta({ errors }) {
      const retryAfter = errors
        .map((e) => (e.cause instanceof AppError ? e.cause.details?.retryAfterSeconds : undefined))
        .find((v) => v !== undefined);
      return retryAfter ? { headers: new Headers({ "retry-after": String(retryAfter) }) } : {};
    },
  });
}

export { handler as GET, handler as POST };
