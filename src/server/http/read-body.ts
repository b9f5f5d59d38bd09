// Reads a request body up to a byte limit, so an oversized request is a
// clear 413 before anything parses or buffers it whole.
import { AppError } from "../errors";
import type { BufferPool } from "~/shared/buffer-pool";

export function payloadTooLarge(maxBytes: number): AppError {
  return new AppError(
    "PAYLOAD_TOO_LARGE",
    `Request body is larger than ${maxBytes} bytes (INGEST_MAX_BODY_BYTES): send fewer items per batch.`,
  );
}

/**
 * As bytes: handed on to another reader without decoding and re-encoding, and
 * hashed as sent. With a pool, the bytes are a view of a buffer taken from
 * it, which the caller gives back when done with them.
 */
export async function readBodyBytesWithLimit(
  req: Request,
  maxBytes: number,
  pool?: BufferPool,
): Promise<Uint8Array<ArrayBuffer>> {
  const declared = Number(req.headers.get("content-length") ?? NaN);
  if (Number.isFinite(declared) && declared > maxBytes) throw payloadTooLarge(maxBytes);
  if (!req.body) return new Uint8Array(0);
  const reader = req.body.getReader();
  const allocate = (bytes: number): Uint8Array<ArrayBuffer> =>
    pool ? (pool.take(bytes) as Uint8Array<ArrayBuffer>) : new Uint8Array(bytes);
  // A declared length is the body's size: read into one buffer of it rather than collecting pieces and copying them.
  let body = allocate(Number.isSafeInteger(declared) && declared >= 0 ? declared : 64 * 1024);
  let total = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    if (total + value.byteLength > maxBytes) {
      await reader.cancel().catch(() => undefined);
      pool?.give(body);
      throw payloadTooLarge(maxBytes);
    }
    if (total + value.byteLength > body.byteLength) {
      const grown = allocate(Math.min(maxBytes, Math.max(body.byteLength * 2, total + value.byteLength)));
      grown.set(body.subarray(0, total));
      pool?.give(body);
      body = grown;
    }
    body.set(value, total);
    total += value.byteLength;
  }
  if (pool) return body.subarray(0, total);
  return total === body.byteLength ? body : body.slice(0, total);
}
