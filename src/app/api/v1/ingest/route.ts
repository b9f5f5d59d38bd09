import { env } from "~/env";
import { AppError } from "~/server/errors";
import { readBodyBytesWithLimit } from "~/server/http/read-body";
import { restRoute } from "~/server/http/rest";
import { MAX_INPUT_NESTING } from "~/server/http/trpc-request";
import { createCaller } from "~/server/api/root";
import { unauthenticatedError } from "~/server/api/trpc";
import { jsonTextNestsDeeperThan } from "~/shared/json-budget";

export const dynamic = "force-dynamic";

export const POST = restRoute(async ({ ctx, req }) => {
  // Refuse an anonymous caller before reading (up to the limit) and parsing its body.
  if (!ctx.principal) throw unauthenticatedError(ctx);
  const bytes = await readBodyBytesWithLimit(req, env().INGEST_MAX_BODY_BYTES);
  if (jsonTextNestsDeeperThan(bytes, MAX_INPUT_NESTING))
    throw new AppError("BAD_REQUEST", `Request body nests deeper than ${MAX_INPUT_NESTING} levels: send plain items.`);
  let body: unknown;
  try {
    body = JSON.parse(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString("utf8"));
  } catch {
    throw new AppError("BAD_REQUEST", "Request body is not valid JSON: send the ingest batch as a JSON object.");
  }
  // The request hash is taken over the bytes as sent.
  return createCaller({ ...ctx, requestBody: bytes }).ingest.push(body);
});
