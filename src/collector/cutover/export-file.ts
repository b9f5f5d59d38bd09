// One table's export file written by the cutover's one pass (one-pass.ts):
// the snapshot's rows in key order become the same lines `cutover export`
// writes (export.ts), appended chunk by chunk to the file and its SHA-256,
// and handed on as bulk chunks without being parsed again. Resuming, the file
// is cut back to the length the checkpoint recorded (chunks written but never
// answered are made again), its hash rebuilt from that prefix, and the rows
// read again after the last recorded key, so the finished file is the one an
// uninterrupted pass (or `cutover export`) writes.
import { createHash, type Hash } from "node:crypto";
import { closeSync, createReadStream, fdatasync, fdatasyncSync, fstatSync, ftruncateSync, writeSync } from "node:fs";
import path from "node:path";
import { promisify } from "node:util";
import { BufferPool } from "~/shared/buffer-pool";
import { syncTables, type SyncTable } from "~/shared/schemas/tables";
import { hashColumns, HASH_MODULUS } from "~/shared/row-hash";
import { rowHasherFor } from "../deep/row-hash";
import { rowToItemFor } from "../store/items";
import { openPrivate } from "../util/atomic-file";

const fdatasyncAsync = promisify(fdatasync);
import type { openSnapshot } from "./export";
import { ExportVerificationError } from "./manifest";
import { exportFileName, type ManifestFile } from "./paths";

/** The last key a chunk carried, as SQLite gave it (the next read starts after it). */
export type SnapshotKey = string | number;

/** One bulk chunk: the file's bytes for its lines, and where the file and the table stand after it. */
export type SnapshotChunk = {
  table: SyncTable;
  /** The chunk's lines as written to the file (UTF-8, each ending with a newline). */
  ndjson: Buffer;
  rows: number;
  /** Lines of the file before this chunk. */
  firstLine: number;
  /** Lines of the file after it. */
  endLine: number;
  /** The file's length after it. */
  exportBytes: number;
  /**
   * SHA-256 of the file up to the end of this chunk: covers the chunk's bytes, and the same file
   * prefix (a resumed pass) gives the same value, so it serves as the chunk's idempotency key.
   */
  contentHash: string;
  firstKey: SnapshotKey;
  lastKey: SnapshotKey;
  /**
   * The sum of the rows' content hashes modulo 2^52 (the content reconcile's checksum, computed as
   * the server computes it), when the chunk was made with hashing on; else null.
   */
  checksum: number | null;
  /** Hands the chunk's buffer back for a later chunk: call once the chunk is answered and recorded, not before. */
  release: () => void;
};

export class ExportFile {
  private readonly hash: Hash = createHash("sha256");
  private constructor(
    readonly table: SyncTable,
    readonly file: string,
    private readonly fd: number,
    private bytes: number,
    private lines: number,
  ) {}

  /**
   * Opens the table's file in `exportDir`: new and empty, or (resuming) cut
   * back to `from.bytes` with its hash rebuilt from what stays.
   */
  static async open(
    exportDir: string,
    table: SyncTable,
    from: { lines: number; bytes: number } | null,
  ): Promise<ExportFile> {
    const file = path.join(exportDir, exportFileName(syncTables[table].sqlite));
    // Never through a link planted at the file's name (ELOOP); readable by the operator only.
    const fd = openPrivate(file, from ? "existing" : "replace");
    const opened = new ExportFile(table, file, fd, from?.bytes ?? 0, from?.lines ?? 0);
    if (!from) return opened;
    const size = fstatSync(fd).size;
    if (size < from.bytes) {
      closeSync(fd);
      throw new ExportVerificationError(
        `${file} holds ${size} bytes, fewer than the ${from.bytes} the checkpoint recorded: the export was damaged. Start the cutover again (collector cutover all)`,
      );
    }
    ftruncateSync(fd, from.bytes);
    if (from.bytes > 0)
      for await (const chunk of createReadStream(file, { start: 0, end: from.bytes - 1 }))
        opened.hash.update(chunk as Buffer);
    return opened;
  }

  /** Appends one chunk's lines (ending with a newline) to the file and its hash; returns the file's length. */
  append(buffer: Buffer, lines: number): number {
    this.hash.update(buffer);
    const bytes = buffer.length;
    let written = 0;
    while (written < bytes) written += writeSync(this.fd, buffer, written, bytes - written, this.bytes + written);
    this.bytes += bytes;
    this.lines += lines;
    return this.bytes;
  }

  /** SHA-256 (hex) of the file so far. */
  hashSoFar(): string {
    return this.hash.copy().digest("hex");
  }

  /**
   * Makes the file durable up to what was appended, before a checkpoint may point into it; off the
   * event loop, so the other table's chunks go on meanwhile.
   */
  async sync(): Promise<void> {
    await fdatasyncAsync(this.fd);
  }

  /** Syncs and closes the file; its manifest entry. */
  finish(): ManifestFile {
    fdatasyncSync(this.fd);
    closeSync(this.fd);
    const { sqlite, server } = syncTables[this.table];
    return {
      table: this.table,
      sqlite,
      server,
      file: path.basename(this.file),
      rows: this.lines,
      bytes: this.bytes,
      sha256: this.hash.digest("hex"),
    };
  }

  close(): void {
    try {
      closeSync(this.fd);
    } catch {
      // already closed by finish()
    }
  }
}

/**
 * The snapshot's rows of one table after `after` (all when null), in key
 * order, as the export's lines, cut into chunks of at most `maxRows` rows and
 * `maxBytes` bytes (a longer line goes alone) and appended to `file` as each
 * chunk is made. The same snapshot gives the same chunks from the same key.
 */
export function* snapshotChunks(
  snapshot: ReturnType<typeof openSnapshot>,
  file: ExportFile,
  from: { line: number; after: SnapshotKey | null },
  limits: { maxRows: number; maxBytes: number },
  /** Asked as each chunk begins: hash its rows (docs/decisions/022)? Hashing costs CPU, so only while it pays. */
  hashRows: () => boolean = () => false,
  /**
   * Where the chunks' buffers come from and go back to: one pass's tables share a pool, so as many exist as
   * chunks are ever in flight at once, whichever table they served (each table's own left a buffer per small
   * table, and every table's spares, for the garbage collector).
   */
  buffers: BufferPool = chunkBufferPool(),
): Generator<SnapshotChunk> {
  const { table } = file;
  const { sqlite, key } = syncTables[table];
  if (!snapshot.has(sqlite)) return;
  const statement = snapshot.db.prepare(
    from.after === null
      ? `select * from ${sqlite} order by ${key}`
      : `select * from ${sqlite} where ${key} > ? order by ${key}`,
  );
  const itemOf = rowToItemFor(
    table,
    statement.columns().map((c) => c.name),
  );
  const rows = (from.after === null ? statement.iterate() : statement.iterate(from.after)) as IterableIterator<
    Record<string, unknown>
  >;
  // Lines are written into a chunk's buffer as they are made, so each line's string dies young (no
  // string of the whole chunk is built, kept and flattened while chunks are in flight), and the buffers
  // of answered chunks are used again: as many exist as chunks are in flight, however large the table.
  let buffer = buffers.take(limits.maxBytes);
  let bytes = 0;
  let count = 0;
  let line = from.line;
  let firstKey: SnapshotKey | null = null;
  let lastKey: SnapshotKey | null = null;
  const hashed = hashColumns[table].map((col) => col.wire);
  const hasher = rowHasherFor(table);
  let hashing = hashRows();
  let checksum = 0;
  const cut = (): SnapshotChunk => {
    const full = buffer;
    const ndjson = full.subarray(0, bytes);
    const chunk: SnapshotChunk = {
      table,
      ndjson,
      rows: count,
      firstLine: line,
      endLine: line + count,
      exportBytes: file.append(ndjson, count),
      contentHash: file.hashSoFar(),
      firstKey: firstKey!,
      lastKey: lastKey!,
      checksum: hashing ? checksum : null,
      release: () => buffers.give(full),
    };
    line += count;
    count = 0;
    bytes = 0;
    buffer = buffers.take(limits.maxBytes);
    hashing = hashRows();
    checksum = 0;
    return chunk;
  };
  for (const row of rows) {
    const lineText = `${JSON.stringify(itemOf(row))}\n`;
    if (count > 0 && count >= limits.maxRows) yield cut();
    // UTF-8 takes at most 3 bytes per UTF-16 unit: a line that surely fits is encoded once, straight into
    // the buffer; only one that may not is measured first (the chunk's bound stays exact either way).
    let size: number;
    if (bytes + lineText.length * 3 <= limits.maxBytes) size = buffer.write(lineText, bytes);
    else {
      size = Buffer.byteLength(lineText);
      if (count > 0 && bytes + size > limits.maxBytes) yield cut();
      // A line longer than the bound goes alone, in a buffer of its own size.
      if (size > buffer.length) buffer = Buffer.allocUnsafe(size);
      buffer.write(lineText, bytes);
    }
    bytes += size;
    if (count === 0) firstKey = row[key] as SnapshotKey;
    count++;
    lastKey = row[key] as SnapshotKey;
    if (hashing) checksum = (checksum + hasher(hashed.map((column) => row[column]))) % HASH_MODULUS;
  }
  if (count > 0) yield cut();
  // The buffer taken for a chunk that never came (after the last, or for an empty table) serves the next table.
  buffers.give(buffer);
}

/** The pool one pass's tables take their chunk buffers from (a few chunks are in flight at once). */
export const chunkBufferPool = (): BufferPool => new BufferPool({ maxFreeBytes: 64 * 1024 * 1024, idleMs: 30_000 });
