// Least privilege between collectors: an ingest key bound to one collector
// name may only push, report failures, record reconcile results and write
// cutover records for that collector. Unbound keys (every key created before
// binding existed, and admin keys) may act for any collector.
import { AppError } from "../errors";
import type { Principal } from "./principal";

/** Refuses (403) a bound key acting for a collector other than its own. */
export function assertMayActFor(principal: Principal, collector: string): void {
  const bound = principal.collector;
  if (bound === null || bound === collector) return;
  throw new AppError(
    "FORBIDDEN",
    `API key ${principal.keyPrefix} is bound to collector "${bound}" and cannot act for collector "${collector}": ` +
      `run this collector with XMONITOR_COLLECTOR_NAME=${bound}, or give it a key of its own ` +
      `(npm run keys -- create --role ingest --collector <name>).`,
  );
}

/**
 * Refuses (403) a bound key changing a cutover record of another collector.
 * The record's collector is not echoed: it is stored data the caller may not read.
 */
export function assertMayChangeCutover(principal: Principal, cutover: { id: string; collector: string }): void {
  const bound = principal.collector;
  if (bound === null || bound === cutover.collector) return;
  throw new AppError(
    "FORBIDDEN",
    `API key ${principal.keyPrefix} is bound to collector "${bound}"; cutover ${cutover.id} belongs to another collector, so this key cannot change it.`,
  );
}

/**
 * Whose rows a read covers: the collector asked for (a bound key may only ask
 * for its own: else 403), else a bound key's own collector, else every
 * collector (null). Without a principal (a server-side caller) as asked.
 */
export function collectorToRead(principal: Principal | undefined, asked: string | undefined): string | null {
  if (!principal) return asked ?? null;
  if (asked) {
    assertMayActFor(principal, asked);
    return asked;
  }
  return principal.collector;
}
