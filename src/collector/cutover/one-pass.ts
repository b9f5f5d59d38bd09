// The cutover's export and first import pass in one read of the snapshot
// (docs/decisions/019): each table's rows, in key order, become the export's
// lines (export-file.ts: byte for byte what `cutover export` writes), are
// appended to the table's file and its SHA-256, and the same bytes go to the
// server as bulk chunks, never parsed again on the collector unless the
// server rejects a row (the reject log holds it). The manifest is written
// last, once every table is answered: a directory without one is an export
// that did not finish. A second pass (another key) reads the finished export
// as any import does (import.ts).
//
// Checkpoint per chunk (import.checkpoint.json, in the export directory): the
// lines, the file's length and the last key of the last chunk the server
// answered, with the totals and the reject log's length then. Ctrl-C (the
// signal) finishes the chunks in flight and records them; a crash loses at
// most the chunks in flight. Resuming cuts each file back to its recorded
// length, rebuilds its hash, and reads on after the recorded key, with the
// same chunk bounds and so the same idempotency keys: a chunk the server
// committed but the checkpoint missed is answered from its record.
import { existsSync } from "node:fs";
import path from "node:path";
import { syncTableNames, syncTables, type SyncTable } from "~/shared/schemas/tables";
import type { BufferPool } from "~/shared/buffer-pool";
import { pushBatches } from "../uplink/batch-pusher";
import { zeroTableResult, addTableResult } from "../uplink/totals";
import { makePrivateDir, writeJsonAtomic } from "../util/atomic-file";
import { EXPORT_FORMAT, ExportExistsError, openSnapshot, snapshotCount } from "./export";
import { chunkBufferPool, ExportFile, snapshotChunks, type SnapshotChunk } from "./export-file";
import {
  collectTableTotals,
  countTablePush,
  forEachTable,
  openPass,
  passHeldCheck,
  passPushOptions,
  rejectLogLines,
  TABLES_IN_PARALLEL,
  type ImportOptions,
  type ImportResult,
  type ImportTableResult,
} from "./import";
import {
  appendRejects,
  cutRejectLog,
  checkpointSaver,
  readCheckpoint,
  type PassCheckpoint,
  type TableCheckpoint,
} from "./import-checkpoint";
import { ExportVerificationError } from "./manifest";
import { CHECKPOINT_FILE, MANIFEST_FILE, type ExportManifest, type ManifestFile } from "./paths";

export type OnePassOptions = Omit<ImportOptions, "dryRun" | "maxLineBytes" | "transport"> & {
  /** The snapshot to read; a resumed pass reads the one it started with. */
  snapshot: string;
};

export type OnePassResult = ImportResult & {
  /** The finished export's manifest; null when interrupted. */
  manifest: ExportManifest | null;
  snapshot: string;
};

/** The snapshot of the unfinished one pass in `exportDir` (no manifest yet), if there is one. */
export function unfinishedOnePass(exportDir: string): { snapshot: string; role: string; keyPrefix: string } | null {
  if (existsSync(path.join(exportDir, MANIFEST_FILE))) return null;
  const file = path.join(exportDir, CHECKPOINT_FILE);
  const pass = readCheckpoint(file).passes.find((p) => p.onePass && !p.complete);
  return pass?.onePass ? { snapshot: pass.onePass.snapshot, role: pass.role, keyPrefix: pass.keyPrefix } : null;
}

export async function exportAndImport(options: OnePassOptions): Promise<OnePassResult> {
  if (existsSync(path.join(options.exportDir, MANIFEST_FILE)))
    throw new ExportExistsError(
      `${options.exportDir} already holds a finished export (manifest.json): import it (collector cutover import), or export to a new directory`,
    );
  const access = await options.api.access();
  const checkpointFile = path.join(options.exportDir, CHECKPOINT_FILE);
  const unfinished = existsSync(checkpointFile) ? unfinishedOnePass(options.exportDir) : null;
  if (unfinished && (unfinished.role !== access.role || unfinished.keyPrefix !== access.keyPrefix))
    throw new ExportVerificationError(
      `${options.exportDir} is an export written in one pass with the import of key ${unfinished.keyPrefix} (role ${unfinished.role}), which did not finish: resume it with that key (collector cutover import)`,
    );
  const snapshotFile = unfinished?.snapshot ?? path.resolve(options.snapshot);
  makePrivateDir(options.exportDir);
  const { checkpoint, pass, resumed } = openPass({ ...options, transport: "bulk" }, checkpointFile, access, {
    snapshot: snapshotFile,
  });
  if (!pass.onePass)
    throw new ExportVerificationError(
      `${checkpointFile} holds an unfinished import pass of key ${pass.keyPrefix} that reads a finished export, but ${options.exportDir} has no manifest: remove the export directory and start again`,
    );
  await options.onPassStart?.({
    pass: pass.pass,
    role: pass.role,
    keyPrefix: pass.keyPrefix,
    resumed,
    rejectLog: pass.rejectLog,
  });
  // Lines after the last recorded chunk were never counted: cut them.
  const recordedBytes = Math.max(0, ...Object.values(pass.tables).map((t) => t.rejectLogBytes));
  cutRejectLog(pass.rejectLog, recordedBytes);

  const result: OnePassResult = {
    pass: pass.pass,
    role: pass.role,
    keyPrefix: pass.keyPrefix,
    dryRun: false,
    resumed,
    interrupted: false,
    tables: {} as Record<SyncTable, ImportTableResult>,
    rejected: 0,
    rejectLog: pass.rejectLog,
    batches: 0,
    replayedBatches: 0,
    heldBatches: 0,
    manifest: null,
    snapshot: snapshotFile,
  };
  const save = checkpointSaver(checkpointFile, checkpoint);
  const snapshot = openSnapshot(snapshotFile);
  const files = new Map<SyncTable, ExportFile>();
  try {
    const states = syncTableNames.map((table) => ({
      table,
      total: snapshotCount(snapshot, table),
      state: (pass.tables[table] ??= {
        line: 0,
        totals: zeroTableResult(),
        rejectLogBytes: recordedBytes,
        done: false,
        exportBytes: 0,
        lastKey: null,
      }),
    }));
    // Every file opened (cut back and rehashed when resuming) before anything is sent.
    for (const { table, state } of states)
      files.set(
        table,
        await ExportFile.open(
          options.exportDir,
          table,
          // A table not begun starts an empty file, whatever an earlier attempt left there.
          resumed && (state.exportBytes ?? 0) > 0 ? { lines: state.line, bytes: state.exportBytes! } : null,
        ),
      );
    const buffers = chunkBufferPool();
    const run = await forEachTable(
      states.filter(({ state }) => !state.done),
      options.tablesInParallel ?? TABLES_IN_PARALLEL,
      async ({ table, total, state }) =>
        countTablePush(
          result,
          await passTable(options, {
            snapshot,
            file: files.get(table)!,
            buffers,
            table,
            total,
            state,
            pass,
            save,
            resumed,
          }),
        ),
    );
    result.interrupted = run.interrupted;
    collectTableTotals(result, states);
    if (result.interrupted) return result;
    const entries: ManifestFile[] = states.map(({ table }) => files.get(table)!.finish());
    const manifest: ExportManifest = {
      version: 1,
      format: EXPORT_FORMAT,
      snapshot: snapshotFile,
      exportedAt: options.now().toISOString(),
      files: entries,
    };
    // Last: a directory with a manifest is a finished export, checked as any other (verifyExport).
    writeJsonAtomic(path.join(options.exportDir, MANIFEST_FILE), manifest);
    pass.complete = true;
    await save();
    result.manifest = manifest;
    return result;
  } finally {
    for (const file of files.values()) file.close();
    snapshot.db.close();
  }
}

async function passTable(
  options: OnePassOptions,
  t: {
    snapshot: ReturnType<typeof openSnapshot>;
    file: ExportFile;
    buffers: BufferPool;
    table: SyncTable;
    total: number;
    state: TableCheckpoint;
    pass: PassCheckpoint;
    save: () => Promise<void>;
    resumed: boolean;
  },
) {
  const { table, state, file } = t;
  const { sqlite, server } = syncTables[table];
  const { pass } = t;
  const progress = (done: boolean) =>
    options.onProgress?.({ table, sqlite, rows: state.line, total: t.total, totals: { ...state.totals }, done });
  const check = passHeldCheck(options, pass, table, t.resumed);
  const totals = await pushBatches<SnapshotChunk>({
    ...passPushOptions(options, pass),
    batches: snapshotChunks(
      t.snapshot,
      file,
      { line: state.line, after: state.lastKey ?? null },
      { maxRows: pass.batchSize, maxBytes: pass.maxBytes },
      check.hashRows,
      t.buffers,
    ),
    held: check.held,
    transport: "bulk",
    onBatch: async (chunk, outcome) => {
      // The file up to this chunk is on disk before the checkpoint points into it.
      await file.sync();
      // From here on one synchronous step (the reject log's recorded length stays exact with tables in parallel).
      const rejects = outcome.rejects.filter((r) => r.table === table);
      const lines = rejects.length > 0 ? chunk.ndjson.toString().slice(0, -1).split("\n") : [];
      const entries = rejects.map((r) => ({
        line: chunk.firstLine + r.index + 1,
        key: r.key,
        reason: r.reason,
        // Parsed only now, for the log; a row refused as too large stays out of it (the export has it at that line).
        row: r.tooLarge ? null : lines[r.index] === undefined ? null : (JSON.parse(lines[r.index]!) as unknown),
      }));
      state.rejectLogBytes = appendRejects(pass.rejectLog, rejectLogLines({ sqlite, server }, entries));
      addTableResult(state.totals, outcome.counts);
      state.line = chunk.endLine;
      state.exportBytes = chunk.exportBytes;
      state.lastKey = chunk.lastKey;
      // Recorded once on disk; the other table's chunks go on meanwhile.
      await t.save();
      chunk.release();
      progress(false);
    },
  });
  if (!totals.interrupted) {
    state.done = true;
    await t.save();
  }
  progress(!totals.interrupted);
  return { batches: totals.batches, replayed: totals.replayed, held: totals.held, interrupted: totals.interrupted };
}
