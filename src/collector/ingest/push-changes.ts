// The run's ingest as a producer for the batch pusher: every row changed
// since a time, table by table, in batches bounded by item count and bytes,
// streamed from the store (memory stays bounded). Keys are
// `<collector>:<mode>:<table>:<content hash>`: the same rows pushed again
// (a retry, a re-run after a crash) are a replay, never a second write.
import { syncTableNames, type SyncTable } from "~/shared/schemas/tables";
import type { TableResult } from "~/shared/schemas/ingest";
import type { CollectorMode } from "~/shared/schemas/primitives";
import type { CollectorLog } from "../log";
import type { SqliteStore } from "../store/sqlite-store";
import { MAX_BATCH_BYTES, pushBatches, type PushTotals } from "../uplink/batch-pusher";
import type { ServerClient } from "../uplink/server-client";

export type PushProgress = { batches: number; items: number };

/** Batches of changed rows, streamed from the store. */
export function* changedBatches(options: {
  store: SqliteStore;
  since: string | undefined;
  maxItems: number;
  maxBytes?: number;
  tables?: readonly SyncTable[];
}) {
  const maxBytes = options.maxBytes ?? MAX_BATCH_BYTES;
  for (const table of options.tables ?? syncTableNames) {
    let items: unknown[] = [];
    let bytes = 0;
    for (const item of options.store.readChangedSince(table, options.since)) {
      const size = Buffer.byteLength(JSON.stringify(item));
      if (items.length > 0 && (items.length >= options.maxItems || bytes + size > maxBytes)) {
        yield { table, items };
        items = [];
        bytes = 0;
      }
      items.push(item);
      bytes += size;
    }
    if (items.length > 0) yield { table, items };
  }
}

export type PushChangesOptions = {
  store: SqliteStore;
  api: ServerClient;
  collector: string;
  mode: CollectorMode;
  runId?: string | null;
  since: string | undefined;
  /** Sent with each batch so the server shows the window as the collector logged it. */
  lookbackSeconds?: number;
  maxAttempts?: number;
  batchSize: number;
  /** Batches in flight at once (default 2). */
  concurrency?: number;
  /** Only these tables (default: every table). */
  tables?: readonly SyncTable[];
  log?: CollectorLog;
  onBatch?: (progress: PushProgress, table: SyncTable, result: TableResult) => void;
};

export async function pushChanges(options: PushChangesOptions): Promise<PushTotals> {
  let items = 0;
  let batches = 0;
  return pushBatches({
    api: options.api,
    batches: changedBatches({
      store: options.store,
      since: options.since,
      maxItems: options.batchSize,
      ...(options.tables ? { tables: options.tables } : {}),
    }),
    envelope: {
      collector: options.collector,
      mode: options.mode,
      runId: options.runId ?? null,
      since: options.since ?? null,
      ...(options.lookbackSeconds !== undefined ? { lookbackSeconds: options.lookbackSeconds } : {}),
      ...(options.maxAttempts !== undefined ? { maxAttempts: options.maxAttempts } : {}),
    },
    keyPrefix: `${options.collector}:${options.mode}`,
    ...(options.concurrency !== undefined ? { concurrency: options.concurrency } : {}),
    ...(options.log ? { log: options.log } : {}),
    onBatch: (batch, outcome) => {
      batches += outcome.sent;
      items += batch.items.length;
      options.onBatch?.({ batches, items }, batch.table, outcome.counts);
    },
  });
}
