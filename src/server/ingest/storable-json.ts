// Rejected items are stored as sent, as far as PostgreSQL's jsonb allows:
// NUL characters and lone surrogates (which jsonb refuses) are written as
// visible escapes, pathological nesting and oversized items are cut, so
// storing a reject can never fail the batch that rejected it. The copy has a
// node budget as well as a depth limit: however an item is shaped, copying it
// costs at most MAX_NODES steps.
const MAX_DEPTH = 64;
const MAX_NODES = 50_000;
const MAX_STORED_CHARS = 256 * 1024;

function cleaner() {
  let nodes = 0;
  const clean = (value: unknown, depth: number): unknown => {
    if (++nodes > MAX_NODES) return `[more than ${MAX_NODES} values: cut]`;
    if (typeof value === "string") return value.replaceAll("\u0000", "\\u0000").toWellFormed();
    if (value === null || typeof value !== "object") {
      return typeof value === "number" && !Number.isFinite(value) ? String(value) : value;
    }
    if (depth >= MAX_DEPTH) return "[nested deeper than 64 levels: cut]";
    if (Array.isArray(value)) return value.map((v) => clean(v, depth + 1));
    return Object.fromEntries(
      Object.entries(value).map(([k, v]) => [clean(k, depth + 1) as string, clean(v, depth + 1)]),
    );
  };
  return clean;
}

export function toStorableJson(value: unknown): unknown {
  const cleaned = cleaner()(value === undefined ? null : value, 0);
  const text = JSON.stringify(cleaned);
  if (text.length <= MAX_STORED_CHARS) return cleaned;
  return { truncated: true, originalChars: text.length, preview: text.slice(0, 16 * 1024) };
}
