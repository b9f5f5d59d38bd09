// The one way batches of items reach the server. Producers (the run's
// changed rows, the cutover's export files) hand over batches of one table;
// the pusher owns what every push needs:
// - idempotency keys derived from the content, so a retry or a re-run of the
//   same rows is a replay the server answers from its record;
// - bounded concurrency: a few batches in flight (the server parses one
//   while PostgreSQL writes another); results are handed back as they come,
//   or in the order the batches were made (`inOrder`, for a checkpoint that
//   must always be a prefix of what the server answered);
// - the 413 policy: a batch over the server's body limit goes again as two
//   halves, each under its own key, down to single rows; a single row too
//   large fails the push or becomes a reject (`rowTooLarge`); a warning
//   names the settings to change;
// - totals, added up once.
import { createHash } from "node:crypto";
import { contentKey } from "~/shared/canonical-json";
import type { IngestBatch, IngestRejectSummary, TableResult } from "~/shared/schemas/ingest";
import { syncTables, type SyncTable } from "~/shared/schemas/tables";
import type { CollectorLog } from "../log";
import { statusInChain } from "./http-error";
import type { ServerClient } from "./server-client";
import { addTableResult, zeroTableResult, zeroTableResults } from "./totals";

/** Producers cut batches at this many bytes of items (well under the server's default 8 MiB body limit). */
export const MAX_BATCH_BYTES = 4 * 1024 * 1024;

/**
 * One table's rows, as the producer has them: `items` (objects), optionally
 * with `texts` (each item's JSON as read: the bulk path sends them as they
 * are), or only `ndjson`, the bulk body already made (the cutover's one pass
 * writes the same bytes to its export file), with `rows` lines. Lines of
 * `ndjson` are parsed only for a row the server refuses as too large alone.
 */
export type OutgoingBatch = { table: SyncTable } & (
  | { items: unknown[]; texts?: readonly string[]; ndjson?: undefined }
  | {
      ndjson: string | Buffer;
      rows: number;
      /** A SHA-256 (hex) the producer already has that covers these bytes: the key's content part, not hashed again. */
      contentHash?: string;
      items?: undefined;
      texts?: undefined;
    }
);
export type BatchEnvelope = Pick<
  IngestBatch,
  "collector" | "mode" | "runId" | "since" | "lookbackSeconds" | "maxAttempts"
>;
/** `index` counts in the batch as the producer made it, before any split. */
export type BatchReject = IngestRejectSummary & {
  batch: string;
  /** A row refused as over the body limit by itself (never stored by the server). */
  tooLarge?: true;
};

export type BatchOutcome = {
  counts: TableResult;
  rejects: BatchReject[];
  /** Requests the server answered for this batch (more than one after a split). */
  sent: number;
  /** Of those, the ones answered from the server's record of an earlier push. */
  replayed: number;
  /** The server already held the batch as it is (`held`): not sent, its rows counted unchanged. */
  held: boolean;
};

export type PushTotals = {
  tables: Record<SyncTable, TableResult>;
  /** Every reject, unless `keepRejects` is false (then only counted in `tables`). */
  rejects: BatchReject[];
  batches: number;
  replayed: number;
  /** Batches not sent because the server already held them as they are (`held`). */
  held: number;
  /** Batches sent again as two halves because the server refused their size (413). */
  splits: number;
  /** The signal stopped the push before every batch was taken. */
  interrupted: boolean;
};

export type PushBatchesOptions<B extends OutgoingBatch> = {
  api: ServerClient;
  batches: Iterable<B> | AsyncIterable<B>;
  envelope: BatchEnvelope;
  /** Keys are `<keyPrefix>:<table>:<content hash>`. */
  keyPrefix: string;
  /**
   * "push": each batch is one ingest.push call; "bulk": one table's chunk as
   * NDJSON to the bulk endpoint (the same answer; keys hash the NDJSON).
   */
  transport?: "push" | "bulk";
  /** Batches in flight at once (default 2). */
  concurrency?: number;
  inOrder?: boolean;
  /** One row alone over the body limit: the push fails (default), or the row is a reject. */
  rowTooLarge?: "fail" | "reject";
  keepRejects?: boolean;
  /** Checked before each batch is taken: the batches in flight finish, no new one starts. */
  signal?: AbortSignal;
  onBatch?: (batch: B, outcome: BatchOutcome) => void | Promise<void>;
  /**
   * Asked before a batch is sent: the counts to record instead when the server already holds the
   * batch's rows exactly as they are (the cutover's re-run, docs/decisions/022), else null. A
   * failure sends the batch: only an exact answer may leave rows unsent.
   */
  held?: (batch: B, idempotencyKey: () => string) => Promise<TableResult | null>;
  log?: CollectorLog;
};

type Settled = { ok: true; outcome: BatchOutcome } | { ok: false; error: unknown };

/** A batch's rows, or part of one after a split. */
type Rows = {
  count: number;
  items?: unknown[];
  texts?: readonly string[];
  ndjson?: string | Buffer;
  contentHash?: string;
};

function rowsOf(batch: OutgoingBatch): Rows {
  return batch.ndjson !== undefined
    ? { count: batch.rows, ndjson: batch.ndjson, ...(batch.contentHash ? { contentHash: batch.contentHash } : {}) }
    : { count: batch.items.length, items: batch.items, ...(batch.texts ? { texts: batch.texts } : {}) };
}

/** Each row's JSON text, if the producer gave text (an NDJSON body ends with a newline). */
const textsOf = (rows: Rows) => rows.texts ?? rows.ndjson?.toString().slice(0, -1).split("\n");

const itemsOf = (rows: Rows): unknown[] => rows.items ?? textsOf(rows)!.map((t) => JSON.parse(t) as unknown);

function halvesOf(rows: Rows): [Rows, Rows] {
  const half = Math.ceil(rows.count / 2);
  const items = rows.items;
  const texts = textsOf(rows);
  const part = (from: number, to: number): Rows => ({
    count: Math.min(to, rows.count) - from,
    ...(items ? { items: items.slice(from, to) } : {}),
    ...(texts ? { texts: texts.slice(from, to) } : {}),
  });
  return [part(0, half), part(half, rows.count)];
}

export const SPLIT_ADVICE = "lower XMONITOR_INGEST_BATCH_SIZE, or raise INGEST_MAX_BODY_BYTES on the server";

export async function pushBatches<B extends OutgoingBatch>(options: PushBatchesOptions<B>): Promise<PushTotals> {
  const totals: PushTotals = {
    tables: zeroTableResults(),
    rejects: [],
    batches: 0,
    replayed: 0,
    held: 0,
    splits: 0,
    interrupted: false,
  };
  const { api } = options;

  const call = (table: SyncTable, rows: Rows) => {
    if (options.transport === "bulk") {
      const ndjson = rows.ndjson ?? `${(rows.texts ?? rows.items!.map((item) => JSON.stringify(item))).join("\n")}\n`;
      const hash = rows.contentHash ?? createHash("sha256").update(ndjson).digest("hex");
      const idempotencyKey = `${options.keyPrefix}:${table}:${hash.slice(0, 32)}`;
      return {
        idempotencyKey,
        result: () => api.pushBulk({ envelope: { ...options.envelope, table, idempotencyKey }, ndjson }),
      };
    }
    const body = { ...options.envelope, [table]: itemsOf(rows) };
    const idempotencyKey = `${options.keyPrefix}:${table}:${contentKey(body)}`;
    return { idempotencyKey, result: () => api.push({ ...body, idempotencyKey }) };
  };

  const send = async (table: SyncTable, rows: Rows, offset: number, outcome: BatchOutcome): Promise<void> => {
    if (rows.count === 0) return;
    const { idempotencyKey, result: push } = call(table, rows);
    let result;
    try {
      result = await push();
    } catch (error) {
      if (statusInChain(error) !== 413) throw error;
      if (rows.count === 1) {
        if (options.rowTooLarge !== "reject") throw error;
        const key = (itemsOf(rows)[0] as Record<string, unknown> | null)?.[syncTables[table].key];
        outcome.rejects.push({
          table,
          index: offset,
          key: typeof key === "string" ? key.slice(0, 200) : null,
          reason: `refused by the server as too large (413): ${(error as Error).message}`,
          batch: idempotencyKey,
          tooLarge: true,
        });
        outcome.counts.rejected++;
        return;
      }
      const [first, second] = halvesOf(rows);
      totals.splits++;
      await send(table, first, offset, outcome);
      await send(table, second, offset + first.count, outcome);
      return;
    }
    addTableResult(outcome.counts, result.tables[table]);
    for (const r of result.rejects) outcome.rejects.push({ ...r, index: r.index + offset, batch: idempotencyKey });
    outcome.sent++;
    if (result.replayed) outcome.replayed++;
  };

  const settle = (batch: B): Promise<Settled> => {
    const outcome: BatchOutcome = { counts: zeroTableResult(), rejects: [], sent: 0, replayed: 0, held: false };
    const rows = rowsOf(batch);
    const attempt = async () => {
      // The key is worked out only if asked (a batch the check does not hash never needs it).
      let counts: TableResult | null = null;
      try {
        counts = (await options.held?.(batch, () => call(batch.table, rows).idempotencyKey)) ?? null;
      } catch {
        counts = null;
      }
      if (!counts) return send(batch.table, rows, 0, outcome);
      outcome.counts = counts;
      outcome.held = true;
    };
    return attempt().then(
      () => ({ ok: true as const, outcome }),
      (error: unknown) => ({ ok: false as const, error }),
    );
  };

  const inflight: { batch: B; settled: Promise<Settled> }[] = [];
  const applyNext = async () => {
    const at = options.inOrder ? 0 : await Promise.race(inflight.map((f, i) => f.settled.then(() => i)));
    const [{ batch, settled }] = inflight.splice(at, 1) as [(typeof inflight)[number]];
    const result = await settled;
    if (!result.ok) {
      // The first failure ends the push; nothing after it is applied (in order, the checkpoint stays a prefix).
      await Promise.all(inflight.map((f) => f.settled));
      inflight.length = 0;
      throw result.error;
    }
    const { outcome } = result;
    addTableResult(totals.tables[batch.table], outcome.counts);
    if (options.keepRejects !== false) totals.rejects.push(...outcome.rejects);
    totals.batches += outcome.sent;
    totals.replayed += outcome.replayed;
    if (outcome.held) totals.held++;
    await options.onBatch?.(batch, outcome);
  };

  const concurrency = Math.max(1, options.concurrency ?? 2);
  const iterator =
    Symbol.asyncIterator in options.batches
      ? options.batches[Symbol.asyncIterator]()
      : options.batches[Symbol.iterator]();
  try {
    for (;;) {
      if (options.signal?.aborted) {
        totals.interrupted = true;
        break;
      }
      const next = await iterator.next();
      if (next.done) break;
      inflight.push({ batch: next.value, settled: settle(next.value) });
      if (inflight.length >= concurrency) await applyNext();
    }
    while (inflight.length > 0) await applyNext();
  } finally {
    // Closes the producer (a SQLite statement left open would block the store).
    await iterator.return?.();
  }
  if (totals.splits > 0)
    options.log?.warn(
      `push: ${totals.splits} batch(es) were over the server's body limit and went as halves; ${SPLIT_ADVICE}`,
      { event: "ingest_split", mode: options.envelope.mode, splits: totals.splits },
    );
  return totals;
}
