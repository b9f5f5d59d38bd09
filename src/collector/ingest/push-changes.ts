// Sends every row changed since a time, table by table, in batches bounded
// by item count and bytes. Each batch's idempotency key is derived from its
// content, so a retry (or a re-run after a crash) of the same rows is a
// replay the server answers from its record, never a second write.
import { contentKey } from "~/shared/canonical-json";
import type { IngestBatch, IngestRejectSummary, TableResult } from "~/shared/schemas/ingest";
import { syncTableNames, type SyncTable } from "~/shared/schemas/tables";
import type { SqliteStore } from "../store/sqlite-store";
import type { IngestApi } from "./ingest-api";
import { retry, type RetryOptions } from "./retry";

export const MAX_BATCH_BYTES = 4 * 1024 * 1024;

export type PushTotals = {
  tables: Record<SyncTable, TableResult>;
  rejects: (IngestRejectSummary & { batch: string })[];
  batches: number;
  retries: number;
  /** Batches sent again as two halves because the server refused their size (413). */
  splits: number;
};

export type PushProgress = { batches: number; items: number };

function emptyTotals(): PushTotals {
  const tables = Object.fromEntries(
    syncTableNames.map((t) => [t, { inserted: 0, updated: 0, unchanged: 0, rejected: 0 }]),
  ) as Record<SyncTable, TableResult>;
  return { tables, rejects: [], batches: 0, retries: 0, splits: 0 };
}

/** Batches of changed rows, streamed from the store (memory stays bounded). */
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

export async function pushChanges(options: {
  store: SqliteStore;
  api: IngestApi;
  collector: string;
  mode: string;
  runId?: string | null;
  since: string | undefined;
  batchSize: number;
  /** Batches in flight at once (default 2). */
  concurrency?: number;
  /** Only these tables (default: every table). */
  tables?: readonly SyncTable[];
  retry?: RetryOptions;
  onBatch?: (progress: PushProgress, table: SyncTable, result: TableResult) => void;
}): Promise<PushTotals> {
  const totals = emptyTotals();
  let items = 0;
  const batches = changedBatches({
    store: options.store,
    since: options.since,
    maxItems: options.batchSize,
    ...(options.tables ? { tables: options.tables } : {}),
  });
  const pushOne = async (chunk: { table: SyncTable; items: unknown[] }): Promise<void> => {
    try {
      await pushBatch(chunk);
    } catch (error) {
      // The server's body limit is lower than our batches (INGEST_MAX_BODY_BYTES):
      // send the halves, each under its own key, rather than fail every cycle.
      if (!isPayloadTooLarge(error) || chunk.items.length < 2) throw error;
      const half = Math.ceil(chunk.items.length / 2);
      totals.splits++;
      await pushOne({ table: chunk.table, items: chunk.items.slice(0, half) });
      await pushOne({ table: chunk.table, items: chunk.items.slice(half) });
    }
  };
  const pushBatch = async (chunk: { table: SyncTable; items: unknown[] }) => {
    const body: Omit<IngestBatch, "idempotencyKey"> = {
      collector: options.collector,
      mode: options.mode,
      runId: options.runId ?? null,
      since: options.since ?? null,
      [chunk.table]: chunk.items,
    };
    const idempotencyKey = `${options.collector}:${options.mode}:${chunk.table}:${contentKey(body).slice(0, 32)}`;
    const result = await retry(() => options.api.push({ ...body, idempotencyKey }), {
      ...options.retry,
      onRetry: (info) => {
        totals.retries++;
        options.retry?.onRetry?.(info);
      },
    });
    const counts = result.tables[chunk.table];
    const sum = totals.tables[chunk.table];
    sum.inserted += counts.inserted;
    sum.updated += counts.updated;
    sum.unchanged += counts.unchanged;
    sum.rejected += counts.rejected;
    totals.rejects.push(...result.rejects.map((r) => ({ ...r, batch: idempotencyKey })));
    totals.batches++;
    items += chunk.items.length;
    options.onBatch?.({ batches: totals.batches, items }, chunk.table, counts);
  };
  // A few batches in flight: the server parses one while PostgreSQL writes
  // another (upserts are order-independent and lock keys in order). The
  // first failure stops the others from taking new batches.
  let failure: unknown = null;
  const worker = async () => {
    while (failure === null) {
      const next = batches.next();
      if (next.done) return;
      try {
        await pushOne(next.value);
      } catch (error) {
        failure ??= error;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, options.concurrency ?? 2) }, worker));
  if (failure !== null) throw failure;
  return totals;
}

function isPayloadTooLarge(error: unknown): boolean {
  for (let e: unknown = error, depth = 0; e && depth < 4; depth++) {
    if ((e as { status?: unknown }).status === 413) return true;
    e = (e as { cause?: unknown }).cause;
  }
  return false;
}

export function describeTotals(tables: Record<SyncTable, TableResult>): string {
  const parts = syncTableNames
    .filter((t) => Object.values(tables[t]).some((n) => n > 0))
    .map((t) => `${t}=${tables[t].inserted}/${tables[t].updated}/${tables[t].unchanged}/${tables[t].rejected}`);
  return parts.length ? `${parts.join(" ")} (inserted/updated/unchanged/rejected)` : "nothing changed";
}
