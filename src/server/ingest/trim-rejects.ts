// The rejects table is kept bounded: each batch stores at most its first N
// rejects with their raw items (ingest-transaction.ts), and rows older than
// the retention are deleted in bounded slices. The trim runs from ingest
// itself, at most once a minute per process, after a batch has committed, so
// it needs no scheduler of its own and never runs inside an ingest
// transaction.
import type { Db } from "../db";
import { sqlPool } from "../db";

export type RejectStorage = { storedPerBatch: number; retentionDays: number };
export const defaultRejectStorage: RejectStorage = { storedPerBatch: 1000, retentionDays: 30 };

const TRIM_SLICE = 10_000;
const TRIM_EVERY_MS = 60_000;

/**
 * Deletes up to `limit` rejects older than `olderThan`, oldest first. Ids grow
 * with time, so walking the primary key from the lowest finds the old rows
 * first and stops after `limit` of them (no index on created_at needed).
 */
export async function trimIngestRejects(db: Db, options: { olderThan: Date; limit?: number }): Promise<number> {
  const { rowCount } = await sqlPool(db).query(
    `delete from ingest_rejects where id in (
       select id from ingest_rejects where created_at < $1 order by id limit $2)`,
    [options.olderThan, options.limit ?? TRIM_SLICE],
  );
  return rowCount ?? 0;
}

const LAST_TRIM = Symbol.for("xmonitor.lastRejectTrim");
const holder = globalThis as unknown as { [LAST_TRIM]?: number };

/** Starts a trim in the background when the last one is more than a minute old; never fails the caller. */
export function scheduleRejectTrim(db: Db, options: { retentionDays: number; now?: number }): void {
  const now = options.now ?? Date.now();
  if (now - (holder[LAST_TRIM] ?? 0) < TRIM_EVERY_MS) return;
  holder[LAST_TRIM] = now;
  // The logger is loaded on use: scripts that seed through ingest must not read the app's environment on import.
  trimIngestRejects(db, { olderThan: new Date(now - options.retentionDays * 86_400_000) }).then(
    async (deleted) => {
      if (deleted > 0) (await import("../logger")).logger.info({ deleted }, "old ingest rejects trimmed");
    },
    async (error: unknown) =>
      (await import("../logger")).logger.warn(
        { err: error },
        "trimming old ingest rejects failed; the next batch retries",
      ),
  );
}
