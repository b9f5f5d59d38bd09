// Step 4: push an export to the server, table by table: the export's files
// are read as batches (jsonl-reader.ts) and handed to the batch pusher in
// order, so the checkpoint (import-checkpoint.ts) is always a prefix of what
// the server answered for.
//
// Passes: each key (role + prefix, asked of the server) is its own pass with
// its own checkpoint entry, so re-running with a more privileged key sends
// everything again and lands what the first key could not write. A pass that
// finished is never resumed: re-running it starts a new pass, whose batches
// the server counts afresh (unchanged).
//
// Resume: a crash or Ctrl-C mid-pass resumes after the last recorded batch
// with the same batch boundaries and idempotency keys, so a batch the server
// committed but the checkpoint missed is answered from the server's record
// (replayed), and the reject log is cut back to the recorded length first:
// nothing is counted or logged twice. A batch over the server's body limit
// goes as halves (down to single rows; a row too large alone is a reject),
// and the checkpoint moves past it only once every half is answered, so a
// resumed pass sends the same halves under the same keys.
import path from "node:path";
import { sha256Hex } from "~/shared/canonical-json";
import type { TableResult } from "~/shared/schemas/ingest";
import { syncTables, type SyncTable } from "~/shared/schemas/tables";
import type { CollectorLog } from "../log";
import { MAX_BATCH_BYTES, pushBatches } from "../uplink/batch-pusher";
import type { ServerClient } from "../uplink/server-client";
import { addTableResult, zeroTableResult } from "../uplink/totals";
import {
  appendRejects,
  cutRejectLog,
  readCheckpoint,
  rejectLogInDataDir,
  checkpointSaver,
  saveCheckpoint,
  type Checkpoint,
  type PassCheckpoint,
  type TableCheckpoint,
} from "./import-checkpoint";
import { heldChunkCheck, itemsChecksum } from "./held-chunks";
import { dryRunImport } from "./import-dry-run";
import { DEFAULT_MAX_LINE_BYTES, readLineBatches } from "./jsonl-reader";
import { readManifest, verifyExport } from "./manifest";
import { CHECKPOINT_FILE, type ManifestFile } from "./paths";

export const IMPORT_MODE = "cutover" as const;
/**
 * Rows and bytes per bulk chunk by default. With two chunks in flight for
 * each of two tables, the collector holds each chunk's lines, its body and
 * fetch's copy: 5,000 rows / 4 MiB chunks took a 100,000-tweet cutover to
 * 329 MB, 2,000 rows to 281 MB (docs/benchmarks.md).
 */
export const BULK_CHUNK_ROWS = 2_000;
export const BULK_CHUNK_BYTES = 2 * 1024 * 1024;
/** Tables imported at once by default: independent tables overlap the server's parse with PostgreSQL's merge. */
export const TABLES_IN_PARALLEL = 2;

export type ImportTableResult = TableResult & { rows: number };
export type ImportResult = {
  pass: number;
  role: string;
  keyPrefix: string;
  dryRun: boolean;
  resumed: boolean;
  interrupted: boolean;
  tables: Record<SyncTable, ImportTableResult>;
  rejected: number;
  rejectLog: string | null;
  batches: number;
  replayedBatches: number;
  /** Chunks the server already held as they are, not sent (the one pass's re-run, docs/decisions/022). */
  heldBatches: number;
};

export type ImportProgress = {
  table: SyncTable;
  sqlite: string;
  rows: number;
  total: number;
  totals: TableResult;
  done: boolean;
};

export type ImportOptions = {
  exportDir: string;
  /** Where reject logs go; a checkpoint naming one anywhere else is refused. */
  dataDir: string;
  api: ServerClient;
  collector: string;
  label: string;
  /** Path for this pass's reject log (an import_rejects_*.ndjson in dataDir), used when a new pass starts. */
  /** The reject log of a new pass, by the role of its key. */
  newRejectLog: (role: string) => string;
  batchSize: number;
  maxBytes?: number;
  /** Longest line read; a longer one is a reject (default DEFAULT_MAX_LINE_BYTES). */
  maxLineBytes?: number;
  /** Batches in flight at once per table (their results are applied in file order). */
  concurrency?: number;
  /** Tables imported at once (default TABLES_IN_PARALLEL); each keeps its own checkpoint entry. */
  tablesInParallel?: number;
  /** "bulk" (default): NDJSON chunks to the bulk endpoint; "push": ingest.push batches. */
  transport?: "bulk" | "push";
  dryRun?: boolean;
  now: () => Date;
  signal?: AbortSignal;
  log?: CollectorLog;
  onProgress?: (progress: ImportProgress) => void;
  /** Called once the pass is known (before any batch), e.g. to record it as running. */
  onPassStart?: (pass: {
    pass: number;
    role: string;
    keyPrefix: string;
    resumed: boolean;
    rejectLog: string | null;
  }) => void | Promise<void>;
};

export async function importExport(options: ImportOptions): Promise<ImportResult> {
  const manifest = readManifest(options.exportDir);
  await verifyExport(options.exportDir, manifest);
  const access = await options.api.access();
  if (options.dryRun) return dryRunImport(options, manifest, access);

  const checkpointFile = path.join(options.exportDir, CHECKPOINT_FILE);
  const { checkpoint, pass: current, resumed } = openPass(options, checkpointFile, access);
  await options.onPassStart?.({
    pass: current.pass,
    role: current.role,
    keyPrefix: current.keyPrefix,
    resumed,
    rejectLog: current.rejectLog,
  });

  const result: ImportResult = {
    pass: current.pass,
    role: current.role,
    keyPrefix: current.keyPrefix,
    dryRun: false,
    resumed,
    interrupted: false,
    tables: {} as Record<SyncTable, ImportTableResult>,
    rejected: 0,
    rejectLog: current.rejectLog,
    batches: 0,
    replayedBatches: 0,
    heldBatches: 0,
  };
  // Lines after the last recorded batch were never counted: cut them.
  const recordedBytes = Math.max(0, ...Object.values(current.tables).map((t) => t.rejectLogBytes));
  cutRejectLog(current.rejectLog, recordedBytes);

  // Each batch's reject lines, table state and checkpoint write happen in one synchronous step
  // (onBatch), so with tables in parallel the recorded reject log length is still a prefix.
  // Off the event loop, in call order (one-pass.ts saves the same way).
  const save = checkpointSaver(checkpointFile, checkpoint);
  const states = manifest.files.map((entry) => ({
    entry,
    state: (current.tables[entry.table] ??= {
      line: 0,
      totals: zeroTableResult(),
      rejectLogBytes: recordedBytes,
      done: false,
    }),
  }));
  const pending = states.filter(({ state }) => !state.done);
  const run = await forEachTable(pending, options.tablesInParallel ?? TABLES_IN_PARALLEL, async (next) =>
    countTablePush(result, await importTable(options, next.entry, current, next.state, save, resumed)),
  );
  result.interrupted = run.interrupted;
  collectTableTotals(
    result,
    states.map(({ entry, state }) => ({ table: entry.table, state })),
  );
  if (!result.interrupted) {
    current.complete = true;
    await save();
  }
  return result;
}

/**
 * The key's unfinished pass in the checkpoint (resumed), or a new one,
 * recorded with its empty reject log before anything is sent. `onePass`: a
 * new pass that writes the export as it sends it (one-pass.ts).
 */
export function openPass(
  options: Pick<
    ImportOptions,
    "label" | "batchSize" | "maxBytes" | "maxLineBytes" | "transport" | "newRejectLog" | "now" | "dataDir"
  >,
  checkpointFile: string,
  access: { role: string; keyPrefix: string },
  onePass?: PassCheckpoint["onePass"],
): { checkpoint: Checkpoint; pass: PassCheckpoint; resumed: boolean } {
  const checkpoint = readCheckpoint(checkpointFile);
  const found = checkpoint.passes.find(
    (p) => p.role === access.role && p.keyPrefix === access.keyPrefix && !p.complete,
  );
  if (found) {
    found.rejectLog = rejectLogInDataDir(found.rejectLog, options.dataDir, checkpointFile);
    return { checkpoint, pass: found, resumed: true };
  }
  const transport = options.transport ?? "bulk";
  const pass: PassCheckpoint = {
    pass: checkpoint.passes.reduce((max, p) => Math.max(max, p.pass), 0) + 1,
    role: access.role,
    keyPrefix: access.keyPrefix,
    label: options.label,
    batchSize: options.batchSize,
    maxBytes: options.maxBytes ?? (transport === "bulk" ? BULK_CHUNK_BYTES : MAX_BATCH_BYTES),
    maxLineBytes: options.maxLineBytes ?? DEFAULT_MAX_LINE_BYTES,
    transport,
    rejectLog: rejectLogInDataDir(options.newRejectLog(access.role), options.dataDir, checkpointFile),
    startedAt: options.now().toISOString(),
    complete: false,
    tables: {},
    ...(onePass ? { onePass } : {}),
  };
  checkpoint.passes.push(pass);
  appendRejects(pass.rejectLog, "");
  saveCheckpoint(checkpointFile, checkpoint);
  return { checkpoint, pass, resumed: false };
}

/** A batch's reject entries as reject log lines (NDJSON), in line order. */
export function rejectLogLines(
  table: { sqlite: string; server: string },
  entries: { line: number; key: string | null; reason: string; row: unknown; text?: string }[],
): string {
  return entries
    .sort((a, b) => a.line - b.line)
    .map((e) => `${JSON.stringify({ table: table.sqlite, server_table: table.server, ...e })}\n`)
    .join("");
}

/** Runs `work` for each table, `parallel` at a time; after a failure no new table starts, and the first failure is thrown once all settle. */
export async function forEachTable<T>(
  tables: T[],
  parallel: number,
  work: (table: T) => Promise<{ interrupted: boolean }>,
): Promise<{ interrupted: boolean }> {
  const pending = [...tables];
  let interrupted = false;
  const worker = async () => {
    for (let next = pending.shift(); next && !interrupted; next = pending.shift()) {
      const outcome = await work(next).catch((error: unknown) => {
        pending.length = 0; // no new table starts after a failure; the ones in flight finish their batches
        throw error;
      });
      if (outcome.interrupted) interrupted = true;
    }
  };
  const workers = Math.max(1, Math.min(parallel, pending.length));
  const settled = await Promise.allSettled(Array.from({ length: workers }, worker));
  const failed = settled.find((s): s is PromiseRejectedResult => s.status === "rejected");
  if (failed) throw failed.reason;
  return { interrupted };
}

/**
 * Deterministic: the same pass sends the same batch under the same key. With the collector (a
 * short hash of its name: names may be long and hold colons), so two collectors' passes never
 * share a key, however their labels, key and data agree. At most 146 chars, so a chunk's key
 * (`:<table>:<32 hex>`) stays under the server's 200.
 */
export function passKeyPrefix(pass: PassCheckpoint, collector: string): string {
  const collectorHash = sha256Hex(collector).slice(0, 12);
  return `cutover:${pass.label.slice(0, 60)}:p${pass.pass}:${pass.role.slice(0, 20)}-${pass.keyPrefix.slice(0, 40)}:${collectorHash}`;
}

/** A table's push, counted into its pass's result; the outcome passes on. */
export function countTablePush<O extends { batches: number; replayed: number; held: number }>(
  result: ImportResult,
  outcome: O,
): O {
  result.batches += outcome.batches;
  result.replayedBatches += outcome.replayed;
  result.heldBatches += outcome.held;
  return outcome;
}

/** Each table's totals (and rows read) into the pass's result, once every table has stopped. */
export function collectTableTotals(
  result: ImportResult,
  tables: readonly { table: SyncTable; state: TableCheckpoint }[],
): void {
  for (const { table, state } of tables) {
    result.tables[table] = { ...state.totals, rows: state.line };
    result.rejected += state.totals.rejected;
  }
}

/**
 * A table's held-chunk check in this pass (docs/decisions/022): a resumed pass first sends the
 * chunks the interrupted one may have had in flight, as many as a pass keeps in flight.
 */
export function passHeldCheck(options: ImportOptions, pass: PassCheckpoint, table: SyncTable, resumed: boolean) {
  const { concurrency } = passPushOptions(options, pass);
  return heldChunkCheck(options.api, options.collector, table, { sendFirst: resumed ? concurrency : 0 });
}

/** What every chunk of a pass is sent with, whether read back from an export or from the snapshot in one pass. */
export function passPushOptions(options: ImportOptions, pass: PassCheckpoint) {
  return {
    api: options.api,
    envelope: { collector: options.collector, mode: IMPORT_MODE, runId: null, since: null },
    keyPrefix: passKeyPrefix(pass, options.collector),
    concurrency: options.concurrency ?? 2,
    // Results are applied in file order, so the checkpoint is always a prefix of what the server answered.
    inOrder: true,
    // One row alone over the server's body limit: no batch can carry it. A reject, not a stop.
    rowTooLarge: "reject" as const,
    keepRejects: false,
    ...(options.signal ? { signal: options.signal } : {}),
    ...(options.log ? { log: options.log } : {}),
  };
}

async function importTable(
  options: ImportOptions,
  entry: ManifestFile,
  pass: PassCheckpoint,
  state: TableCheckpoint,
  save: () => Promise<void>,
  resumed: boolean,
) {
  const table = entry.table;
  const progress = (done: boolean) =>
    options.onProgress?.({
      table,
      sqlite: entry.sqlite,
      rows: state.line,
      total: entry.rows,
      totals: { ...state.totals },
      done,
    });
  const lineBatches = readLineBatches(path.join(options.exportDir, entry.file), {
    skipLines: state.line,
    maxItems: pass.batchSize,
    maxBytes: pass.maxBytes,
    maxLineBytes: pass.maxLineBytes ?? DEFAULT_MAX_LINE_BYTES,
  });
  const check = passHeldCheck(options, pass, table, resumed);
  const keyOf = (item: unknown) => (item as Record<string, unknown> | null)?.[syncTables[table].key];
  async function* batches() {
    for await (const batch of lineBatches) {
      // Only a chunk of whole items can be held: an unreadable line is a reject the server must count.
      const hashed = check.hashRows() && batch.unreadable.length === 0 && batch.items.length > 0;
      yield {
        ...batch,
        table,
        firstKey: keyOf(batch.items[0]),
        lastKey: keyOf(batch.items.at(-1)),
        rows: batch.items.length,
        checksum: hashed ? itemsChecksum(table, batch.items) : null,
      };
    }
  }
  const totals = await pushBatches({
    ...passPushOptions(options, pass),
    batches: batches(),
    held: check.held,
    // A resumed pass sends as it started, so its batches keep their keys.
    transport: pass.transport ?? "push",
    onBatch: async (batch, outcome) => {
      const entries = [
        ...batch.unreadable.map((u) => ({ line: u.line, key: null, reason: u.reason, row: null, text: u.text })),
        ...outcome.rejects
          .filter((r) => r.table === table)
          .map((r) => ({
            line: batch.lines[r.index] ?? batch.firstLine,
            key: r.key,
            reason: r.reason,
            // A row the server refused as too large stays out of the log: the export has it at that line.
            row: r.tooLarge ? null : (batch.items[r.index] ?? null),
          })),
      ];
      state.rejectLogBytes = appendRejects(pass.rejectLog, rejectLogLines(entry, entries));
      addTableResult(state.totals, { ...outcome.counts, rejected: outcome.counts.rejected + batch.unreadable.length });
      state.line = batch.endLine;
      // The chunk counts as recorded once its checkpoint is on disk.
      await save();
      progress(false);
    },
  });
  if (!totals.interrupted && state.line === entry.rows) {
    state.done = true;
    await save();
  }
  progress(!totals.interrupted);
  return { batches: totals.batches, replayed: totals.replayed, held: totals.held, interrupted: totals.interrupted };
}
