// Ids derived from content: re-running the same step over the same input
// (a retried run, a re-detected shift) writes the same row again instead of
// a duplicate, which keeps both the local store and the server idempotent.
import { createHash } from "node:crypto";

/** A UUID (version 5 layout) built from the SHA-256 of the parts. */
export function stableUuid(...parts: string[]): string {
  const hex = createHash("sha256").update(parts.join("\u001f")).digest("hex");
  const variant = ((parseInt(hex.slice(16, 18), 16) & 0x3f) | 0x80).toString(16).padStart(2, "0");
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-5${hex.slice(13, 16)}-${variant}${hex.slice(18, 20)}-${hex.slice(20, 32)}`;
}

/** Compares X status ids (decimal strings of varying length) as numbers. */
export function compareStatusIds(a: string, b: string): number {
  const x = BigInt(a);
  const y = BigInt(b);
  return x < y ? -1 : x > y ? 1 : 0;
}
