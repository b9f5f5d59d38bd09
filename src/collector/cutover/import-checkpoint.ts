// The import's checkpoint (in the export directory) and its reject log.
// Per pass and table the checkpoint holds the line after the last batch
// whose result was recorded, the totals so far and the reject log's length
// then; the reject log is synced before the checkpoint may point past it.
//
// An export directory may come from elsewhere, so the checkpoint is not
// trusted with a path: its reject log must be a reject log's name directly in
// the data directory, and is written without following links. Otherwise a
// crafted checkpoint could make the import cut back any file.
import { closeSync, existsSync, fstatSync, fsyncSync, ftruncateSync, readFileSync, writeSync } from "node:fs";
import path from "node:path";
import type { TableResult } from "~/shared/schemas/ingest";
import type { SyncTable } from "~/shared/schemas/tables";
import { openPrivate, writeFileAtomicAsync, writeJsonAtomic } from "../util/atomic-file";
import { ExportVerificationError } from "./manifest";
import { REJECT_LOG_NAME } from "./paths";

export type TableCheckpoint = {
  line: number;
  totals: TableResult;
  rejectLogBytes: number;
  done: boolean;
  /** One pass only: the export file's length after the last recorded chunk, and that chunk's last key. */
  exportBytes?: number;
  lastKey?: string | number | null;
};
export type PassCheckpoint = {
  pass: number;
  role: string;
  keyPrefix: string;
  label: string;
  batchSize: number;
  maxBytes: number;
  /** Absent in checkpoints written before the line limit existed. */
  maxLineBytes?: number;
  /** How the pass sends (its keys depend on it); absent in checkpoints from before the bulk path: "push". */
  transport?: "bulk" | "push";
  rejectLog: string;
  startedAt: string;
  complete: boolean;
  tables: Partial<Record<SyncTable, TableCheckpoint>>;
  /** A pass that reads the snapshot and writes the export as it sends it (one-pass.ts). */
  onePass?: { snapshot: string };
};
export type Checkpoint = { version: 1; passes: PassCheckpoint[] };

export function readCheckpoint(file: string): Checkpoint {
  if (!existsSync(file)) return { version: 1, passes: [] };
  let checkpoint: Checkpoint;
  try {
    checkpoint = JSON.parse(readFileSync(file, "utf8")) as Checkpoint;
  } catch (error) {
    throw new ExportVerificationError(
      `${file} is damaged (${(error as Error).message}): remove it to import again as a new pass (the server keeps what earlier passes wrote)`,
    );
  }
  if (!checkpoint || !Array.isArray(checkpoint.passes))
    throw new ExportVerificationError(`${file} is not an import checkpoint: remove it to import again as a new pass`);
  return checkpoint;
}

export function saveCheckpoint(file: string, checkpoint: Checkpoint): void {
  writeJsonAtomic(file, checkpoint);
}

/**
 * Saves of one checkpoint file off the event loop (the flush to disk of a
 * save per chunk blocked it for milliseconds each). Each save takes the
 * checkpoint as it is when called and resolves once that content is on disk;
 * saves land in the order they were called, so the file only moves forward.
 */
export function checkpointSaver(file: string, checkpoint: Checkpoint): () => Promise<void> {
  let last: Promise<void> = Promise.resolve();
  return () => {
    const content = `${JSON.stringify(checkpoint, null, 2)}\n`;
    // A failed save fails its own caller; the next save still writes its (later) content.
    const saved = last.catch(() => {}).then(() => writeFileAtomicAsync(file, content));
    last = saved;
    return saved;
  };
}

/** The reject log's absolute path, if it is a reject log's name directly in `dataDir`; refused otherwise. */
export function rejectLogInDataDir(file: string, dataDir: string, checkpointFile: string): string {
  const dir = path.resolve(dataDir);
  const resolved = path.resolve(dir, file);
  if (path.dirname(resolved) !== dir || !REJECT_LOG_NAME.test(path.basename(resolved)))
    throw new ExportVerificationError(
      `${checkpointFile} names ${file} as its reject log; reject logs are import_rejects_*.ndjson files in the data directory ${dir}. Refused: nothing was written. Remove the checkpoint to import again as a new pass, or pass the --data-dir the import was started with`,
    );
  return resolved;
}

function withPrivateFile<T>(file: string, how: "append" | "existing", use: (fd: number) => T): T {
  let fd: number;
  try {
    fd = openPrivate(file, how);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ELOOP")
      throw new ExportVerificationError(
        `${file} is a symbolic link: refused, the reject log is never written through one`,
      );
    throw error;
  }
  try {
    return use(fd);
  } finally {
    closeSync(fd);
  }
}

/** Appends lines to the reject log and syncs them; returns its length after. */
export function appendRejects(file: string, text: string): number {
  return withPrivateFile(file, "append", (fd) => {
    // Most chunks have no rejects: nothing written, nothing to sync (a sync per chunk costs a disk flush).
    if (text) {
      writeSync(fd, text);
      fsyncSync(fd);
    }
    return fstatSync(fd).size;
  });
}

/** Cuts the reject log back to what the checkpoint counted (lines written after the last recorded batch). */
export function cutRejectLog(file: string, bytes: number): void {
  if (!existsSync(file)) return;
  withPrivateFile(file, "existing", (fd) => {
    if (fstatSync(fd).size > bytes) ftruncateSync(fd, bytes);
  });
}
