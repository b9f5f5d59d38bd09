import { env } from "~/env";
import { readBodyBytesWithLimit } from "~/server/http/read-body";
import { bulkBuffers } from "~/server/ingest/bulk-buffers";
import { restRoute } from "~/server/http/rest";
import { createCaller } from "~/server/api/root";
import { unauthenticatedError } from "~/server/api/trpc";

export const dynamic = "force-dynamic";

/** One table's chunk of items as NDJSON; its envelope (table, idempotencyKey, collector, mode…) in the query string. */
export const POST = restRoute(async ({ ctx, req }) => {
  // Refuse an anonymous caller before reading (up to the limit) its body.
  if (!ctx.principal) throw unauthenticatedError(ctx);
  const envelope = Object.fromEntries(new URL(req.url).searchParams);
  const bytes = await readBodyBytesWithLimit(req, env().INGEST_MAX_BODY_BYTES, bulkBuffers);
  try {
    return await createCaller({ ...ctx, bulkBody: bytes }).ingest.bulk(envelope);
  } finally {
    // The chunk is staged (copied into its COPY rows) or refused by now: nothing reads the body again.
    bulkBuffers.give(bytes);
  }
});
