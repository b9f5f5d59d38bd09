// Reject reasons by table, counted from an import pass's reject log: what
// the CLI prints at the end of each import (and --json carries) and what
// the cutover record shows. Read back from the log, so a resumed pass counts
// every reject of the pass exactly once, as the log holds it.
import { createReadStream, existsSync } from "node:fs";
import { createInterface } from "node:readline";

/** Server table → reason → rows. */
export type RejectReasons = Record<string, Record<string, number>>;

/** Distinct reasons kept per table; the rest are counted under OTHER_REASONS. */
export const MAX_REASONS_PER_TABLE = 20;
export const OTHER_REASONS = "(other reasons)";
const MAX_REASON_CHARS = 300;

type LogLine = { table?: unknown; server_table?: unknown; reason?: unknown };

export async function summarizeRejectLog(file: string): Promise<RejectReasons> {
  const out: RejectReasons = {};
  if (!existsSync(file)) return out;
  const lines = createInterface({ input: createReadStream(file, "utf8"), crlfDelay: Infinity });
  for await (const line of lines) {
    if (!line.trim()) continue;
    let entry: LogLine;
    try {
      entry = JSON.parse(line) as LogLine;
    } catch {
      entry = {};
    }
    const named = [entry.server_table, entry.table].find((t): t is string => typeof t === "string");
    const table = named ?? "(unknown table)";
    const reason = typeof entry.reason === "string" ? entry.reason.slice(0, MAX_REASON_CHARS) : "(no reason logged)";
    const reasons = (out[table] ??= {});
    const key = reason in reasons || Object.keys(reasons).length < MAX_REASONS_PER_TABLE ? reason : OTHER_REASONS;
    reasons[key] = (reasons[key] ?? 0) + 1;
  }
  return out;
}

/** One human line per table and reason, most frequent first. */
export function rejectReasonLines(reasons: RejectReasons): string[] {
  return Object.entries(reasons).flatMap(([table, byReason]) =>
    Object.entries(byReason)
      .sort(([ra, a], [rb, b]) => b - a || ra.localeCompare(rb))
      .map(([reason, n]) => `  ${table}: ${n} × ${reason}`),
  );
}
