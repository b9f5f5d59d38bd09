// An embedding's vector on the wire (docs/decisions/018-vectors-as-bytes-binary-copy.md).
// The contract stores a vector as a BLOB of float32 little-endian values, so
// the collector sends those bytes as base64; older collectors (and small
// hand-made pushes) send a JSON array of numbers, which still works. Both
// forms come out as one Float32Array, checked with a plain loop: a zod schema
// per element cost seconds on a cutover of 50,000 vectors.
import { z } from "zod";

/** The wire forms: base64 of the float32 little-endian bytes, or the numbers. */
export type VectorInput = string | readonly number[];

/** The base64 alphabet by character code (RFC 4648 section 4; not the URL-safe one). */
const BASE64_ALPHABET = new Uint8Array(128);
for (const c of "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/")
  BASE64_ALPHABET[c.charCodeAt(0)] = 1;

/**
 * Whether a string is base64 with its padding: Buffer's decoder would skip
 * any other character silently. A loop over a table: the equivalent regular
 * expression was 8 % of the app's busy time in a cutover's import.
 */
function isBase64(value: string): boolean {
  let end = value.length;
  if (end % 4 !== 0) return false;
  if (value.charCodeAt(end - 1) === 61 /* = */) end--;
  if (value.charCodeAt(end - 1) === 61) end--;
  for (let i = 0; i < end; i++) {
    const c = value.charCodeAt(i);
    if (c > 127 || BASE64_ALPHABET[c] === 0) return false;
  }
  return true;
}

/** Whether this host stores a Float32Array's elements little-endian (then the bytes need no reordering). */
const LITTLE_ENDIAN_HOST = new Uint8Array(new Float32Array([1]).buffer)[3] === 0x3f;

/** The float32 little-endian bytes in a base64 string as values, or what is wrong with them. */
export function vectorFromBase64(value: string): Float32Array | string {
  if (!isBase64(value)) {
    return "is not valid base64 (send the float32 little-endian bytes base64-encoded, or an array of numbers)";
  }
  const padding = value.endsWith("==") ? 2 : value.endsWith("=") ? 1 : 0;
  const bytes = (value.length / 4) * 3 - padding;
  if (bytes % 4 !== 0) {
    return `decodes to ${bytes} bytes, not a whole number of float32 values (4 bytes each): re-encode the vector's BLOB`;
  }
  // Decoded straight into the Float32Array's own buffer: always 4-byte aligned, one copy.
  const values = new Float32Array(bytes / 4);
  const target = Buffer.from(values.buffer, values.byteOffset, values.byteLength);
  target.write(value, "base64");
  if (!LITTLE_ENDIAN_HOST) target.swap32();
  return values;
}

/** Whether a vector holds NaN or ±Infinity (stored as they are; an anomaly, decisions/018). */
export function hasNonFinite(values: Float32Array): boolean {
  for (let i = 0; i < values.length; i++) if (!Number.isFinite(values[i]!)) return true;
  return false;
}

/** A number array as float32 values (what the contract's BLOB holds), or what is wrong with it. */
function vectorFromNumbers(value: readonly unknown[]): Float32Array | string {
  const values = new Float32Array(value.length);
  for (let i = 0; i < value.length; i++) {
    const v = value[i];
    if (typeof v !== "number") return `value [${i}] must be a number`;
    values[i] = v;
    // A finite number float32 cannot hold would arrive as Infinity: not what was sent.
    if (Number.isFinite(v) && !Number.isFinite(values[i]!))
      return `value [${i}] ${v} is beyond float32's range (the contract stores float32)`;
  }
  return values;
}

/**
 * The vector column's validation: either wire form. Every float32 value the
 * contract's BLOB can hold is stored as it is, NaN and ±Infinity included
 * (PostgreSQL's real[] holds them; the catalog records them as an anomaly);
 * only what is not a whole vector is refused. The length against `dims` is
 * checked with the whole item (items.ts).
 */
export const vectorValue = z
  .custom<VectorInput>((value) => typeof value === "string" || Array.isArray(value), {
    message: "must be a base64 string of float32 little-endian bytes or an array of numbers",
  })
  .transform((value, ctx): Float32Array => {
    const decoded = typeof value === "string" ? vectorFromBase64(value) : vectorFromNumbers(value);
    if (typeof decoded === "string") {
      ctx.addIssue({ code: "custom", message: decoded });
      return z.NEVER;
    }
    return decoded;
  })
  .meta({
    description:
      "The embedding: base64 of its float32 little-endian bytes (the contract's BLOB), or an array of numbers",
    anyOf: [
      { type: "string", contentEncoding: "base64" },
      { type: "array", items: { type: "number" } },
    ],
  });

/** The contract's bytes of a vector as the wire's base64 (whatever the host's byte order). */
export function vectorToBase64(values: Float32Array): string {
  const bytes = Buffer.from(values.buffer, values.byteOffset, values.byteLength);
  if (LITTLE_ENDIAN_HOST) return bytes.toString("base64");
  return Buffer.from(bytes).swap32().toString("base64");
}
