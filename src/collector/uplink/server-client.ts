// The collector's only way to the server. Every method retries under one
// policy (retry.ts: bounded, jittered, only what may pass on its own), set
// when the client is made, so callers never wrap a call themselves.
import { ROWS_BY_KEYS_MAX_KEYS, type CutoverStart } from "~/shared/schemas/cutover";
import type { DeepRowHashesInput, DeepSegmentsInput } from "~/shared/schemas/deep-reconcile";
import type { IngestBatch, ReconcileRecord, ReportFailureInput } from "~/shared/schemas/ingest";
import type { HeldChunk, HeldChunkInput } from "~/shared/schemas/bulk";
import type { SyncTable } from "~/shared/schemas/tables";
import { statusInChain } from "./http-error";
import {
  createTrpcCalls,
  type BulkChunk,
  type CutoverStepRecordInput,
  type DeepRowHashes,
  type DeepSegments,
  type IngestAccess,
  type PushResult,
  type RunRemoval,
  type RunRemovalPreview,
  type ServerAddress,
  type ServerCalls,
  type ServerCounts,
} from "./server-calls";
import { retry, type RetryInfo, type RetryOptions } from "./retry";

export type {
  BulkChunk,
  CutoverStepRecordInput,
  IngestAccess,
  PushResult,
  ServerCalls,
  ServerCounts,
} from "./server-calls";

export type ServerClient = {
  push(batch: IngestBatch): Promise<PushResult>;
  /** One table's chunk as NDJSON to the bulk endpoint; answered like push. */
  pushBulk(chunk: BulkChunk): Promise<PushResult>;
  /** Whether the server already holds a cutover chunk (count and checksum of this collector's rows in its key range). */
  heldChunk(input: HeldChunkInput): Promise<HeldChunk>;
  reportFailure(input: ReportFailureInput): Promise<void>;
  /** This collector's rows when `collector` is given (docs/decisions/012); else every collector's. */
  reconcileCounts(since: string | undefined, collector?: string): Promise<ServerCounts>;
  recordReconcile(input: ReconcileRecord): Promise<void>;
  /** Content reconcile (reconcile --deep): count and checksum of the wanted segments. */
  reconcileSegments(input: DeepSegmentsInput): Promise<DeepSegments>;
  /** Content reconcile: a page of row hashes of the wanted segments, in key order. */
  reconcileRowHashes(input: DeepRowHashesInput): Promise<DeepRowHashes>;
  /** Who this key is: role, prefix and the tables it may write (the others would come back rejected). */
  access(): Promise<IngestAccess>;
  /** Stored rows by natural key, in the item shape: any number of keys, asked in calls of the server's limit. */
  rowsByKeys(input: {
    table: SyncTable;
    keys: readonly string[];
    collector?: string | undefined;
  }): Promise<Record<string, unknown>[]>;
  /** Every key of a table on the server (this collector's, when given), page by page (bounded pages). */
  serverKeys(table: SyncTable, collector?: string): AsyncGenerator<string[]>;
  /** The report ids the server holds for a run (of this collector, when given), or null when it has no such run. */
  reportsOfRun(runId: string, collector?: string): Promise<string[] | null>;
  /** Opens the server's record of one cutover. */
  cutoverStart(input: CutoverStart): Promise<{ id: string }>;
  /** Adds or replaces one step (by name and pass) of a cutover's record. */
  cutoverRecordStep(input: CutoverStepRecordInput): Promise<void>;
  /** The REST view of a post (GET /api/v1/posts/{statusId}), or null when the server has none. */
  postViewRest(statusId: string): Promise<Record<string, unknown> | null>;
  /** Admin only: what removing a run would take and leave. */
  runRemovalPreview(runId: string): Promise<RunRemovalPreview>;
  /** Admin only. Not retried: a lost answer after the removal committed would come back as a 404. */
  removeRun(input: { runId: string; reason: string }): Promise<RunRemoval>;
};

/** The retry policy of every call; `onRetry` also learns which call it was (for one log line per retry). */
export type ServerRetryPolicy = Omit<RetryOptions, "onRetry"> & {
  onRetry?: (info: RetryInfo & { call: keyof ServerCalls }) => void;
};

export function keyChunks(keys: readonly string[], maxKeys = ROWS_BY_KEYS_MAX_KEYS): string[][] {
  const chunks: string[][] = [];
  for (let i = 0; i < keys.length; i += maxKeys) chunks.push(keys.slice(i, i + maxKeys));
  return chunks;
}

/** A ServerClient over any transport (the real one, or a test's stand-in). */
export function serverClientOver(calls: ServerCalls, policy: ServerRetryPolicy = {}): ServerClient {
  const { onRetry, ...limits } = policy;
  const retried = <K extends keyof ServerCalls, T>(call: K, fn: () => Promise<T>) =>
    retry(fn, { ...limits, ...(onRetry ? { onRetry: (info: RetryInfo) => onRetry({ ...info, call }) } : {}) });
  return {
    push: (batch) => retried("push", () => calls.push(batch)),
    pushBulk: (chunk) => retried("pushBulk", () => calls.pushBulk(chunk)),
    heldChunk: (input) => retried("heldChunk", () => calls.heldChunk(input)),
    reportFailure: async (input) => {
      await retried("reportFailure", () => calls.reportFailure(input));
    },
    reconcileCounts: (since, collector) => retried("reconcileCounts", () => calls.reconcileCounts(since, collector)),
    recordReconcile: async (input) => {
      await retried("recordReconcile", () => calls.recordReconcile(input));
    },
    reconcileSegments: (input) => retried("reconcileSegments", () => calls.reconcileSegments(input)),
    reconcileRowHashes: (input) => retried("reconcileRowHashes", () => calls.reconcileRowHashes(input)),
    access: () => retried("access", () => calls.access()),
    rowsByKeys: async ({ table, keys, collector }) => {
      const rows: Record<string, unknown>[] = [];
      const scope = collector ? { collector } : {};
      for (const chunk of keyChunks(keys))
        rows.push(...(await retried("rowsByKeys", () => calls.rowsByKeys({ table, keys: chunk, ...scope }))));
      return rows;
    },
    serverKeys: async function* (table, collector) {
      let after: string | undefined;
      const scope = collector ? { collector } : {};
      for (;;) {
        const page = await retried("keysPage", () => calls.keysPage({ table, ...scope, ...(after ? { after } : {}) }));
        if (page.keys.length) yield page.keys;
        if (page.next === null) return;
        after = page.next;
      }
    },
    reportsOfRun: async (runId, collector) => {
      try {
        return (await retried("runById", () => calls.runById(runId, collector))).reports.map((r) => r.reportId);
      } catch (error) {
        // A 404 is an answer, not a failure: the run is not on the server.
        if (statusInChain(error) === 404) return null;
        throw error;
      }
    },
    cutoverStart: (input) => retried("cutoverStart", () => calls.cutoverStart(input)),
    cutoverRecordStep: async (input) => {
      await retried("cutoverRecordStep", () => calls.cutoverRecordStep(input));
    },
    postViewRest: (statusId) => retried("postViewRest", () => calls.postViewRest(statusId)),
    runRemovalPreview: (runId) => retried("runRemovalPreview", () => calls.runRemovalPreview(runId)),
    removeRun: (input) => calls.removeRun(input),
  };
}

export function createServerClient(options: ServerAddress & { retry?: ServerRetryPolicy }): ServerClient {
  return serverClientOver(createTrpcCalls(options), options.retry);
}
