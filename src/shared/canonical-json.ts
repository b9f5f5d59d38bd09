// JSON with object keys sorted, so that equal values hash equally whatever
// order their keys were written in (idempotency keys and request hashes).
import { createHash } from "node:crypto";

export function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) => {
    if (v && typeof v === "object" && !Array.isArray(v)) {
      return Object.fromEntries(Object.entries(v as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
    }
    return v;
  });
}

export function sha256Hex(text: string): string {
  return createHash("sha256").update(text).digest("hex");
}
