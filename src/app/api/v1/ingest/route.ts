import { env } from "~/env";
import { AppError } from "~/server/errors";
import { readBodyWithLimit } from "~/server/http/read-body";
import { restRoute } from "~/server/http/rest";
import { unauthenticatedError } from "~/server/api/trpc";

export const dynamic = "force-dynamic";

export const POST = restRoute(async ({ caller, ctx, req }) => {
  // Refuse an anonymous caller before reading (up to the limit) and parsing its body.
  if (!ctx.principal) throw unauthenticatedError(ctx);
  const text = await readBodyWithLimit(req, env().INGEST_MAX_BODY_BYTES);
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    throw new AppError("BAD_REQUEST", "Request body is not valid JSON: send the ingest batch as a JSON object.");
  }
  return caller.ingest.push(body);
});
