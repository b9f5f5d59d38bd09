import { fetchRequestHandler } from "@trpc/server/adapters/fetch";
import { env } from "~/env";
import { appRouter } from "~/server/api/root";
import { createRequestContext } from "~/server/api/context";
import { AppError } from "~/server/errors";
import { readBodyWithLimit } from "~/server/http/read-body";
import { errorResponse } from "~/server/http/rest";

export const dynamic = "force-dynamic";

async function handler(req: Request) {
  let request = req;
  if (req.method === "POST") {
    // The fetch adapter has no body limit of its own: enforce ours first.
    try {
      const body = await readBodyWithLimit(req, env().INGEST_MAX_BODY_BYTES);
      request = new Request(req.url, { method: "POST", headers: req.headers, body });
    } catch (error) {
      if (error instanceof AppError) return errorResponse(error.code, error.message, 413);
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
