import { env } from "~/env";
import { AppError } from "~/server/errors";
import { readBodyWithLimit } from "~/server/http/read-body";
import { restRoute } from "~/server/http/rest";

export const dynamic = "force-dynamic";

export const POST = restRoute(async ({ caller, req }) => {
  const text = await readBodyWithLimit(req, env().INGEST_MAX_BODY_BYTES);
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    throw new AppError("BAD_REQUEST", "Request body is not valid JSON: send the ingest batch as a JSON object.");
  }
  return caller.ingest.push(body);
});
