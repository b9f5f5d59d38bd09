// JSON with object keys sorted, so that equal values hash equally whatever
// order their keys were written in (idempotency keys and request hashes).
import { createHash } from "node:crypto";
import { assertWithinJsonBudget, type JsonBudget } from "./json-budget";

/** Larger than any honest batch (a full 8 MiB body is well under a million values). */
export const CANONICAL_JSON_BUDGET: JsonBudget = { maxDepth: 128, maxNodes: 2_000_000 };

/** Throws JsonBudgetExceeded for values deeper or larger than CANONICAL_JSON_BUDGET. */
export function canonicalJson(value: unknown): string {
  assertWithinJsonBudget(value, CANONICAL_JSON_BUDGET);
  return JSON.stringify(value, (_key, v: unknown) => {
    if (v && typeof v === "object" && !Array.isArray(v)) {
      return Object.fromEntries(
        Object.entries(v as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)),
      );
    }
    return v;
  });
}

export function sha256Hex(text: string): string {
  return createHash("sha256").update(text).digest("hex");
}

/**
 * A batch's content hash for its idempotency key, as the collector builds
 * it: the same rows read by the same code serialize to the same text, so a
 * retry is always a replay. Not canonical (key order is the builder's): a
 * different collector version may produce another key for the same rows,
 * which only makes the server upsert them again as unchanged. Canonical JSON
 * was the collector's largest CPU cost in the cutover profile (4.1 s of
 * ~25 s busy for 200,000 tweets); the server's request hash, which must
 * match bodies from any client, stays canonical.
 */
export function contentKey(body: unknown): string {
  return sha256Hex(JSON.stringify(body)).slice(0, 32);
}
