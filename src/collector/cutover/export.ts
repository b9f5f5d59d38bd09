// Step 3: the snapshot as one JSONL file per table, each line already the
// ingest item (store/items.ts rowToItem), plus a manifest with row counts
// and SHA-256 per file. Rows are streamed from SQLite to the file, so memory
// stays flat however large the table; the manifest is written last, so a
// directory without one is an export that did not finish.
import { createHash } from "node:crypto";
import { createWriteStream, existsSync, type WriteStream } from "node:fs";
import { once } from "node:events";
import path from "node:path";
import type Database from "better-sqlite3";
import { syncTableNames, syncTables, type SyncTable } from "~/shared/schemas/tables";
import { openReadOnce } from "./read-once";
import { rowToItem } from "../store/items";
import { makePrivateDir, openPrivate, writeJsonAtomic } from "../util/atomic-file";
import { exportFileName, MANIFEST_FILE, type ExportManifest, type ManifestFile } from "./paths";

export const EXPORT_FORMAT =
  "xmonitor ingest items (src/shared/schemas/items.ts), one JSON object per line; an embedding's vector is base64 of its float32 little-endian bytes (older exports carry an array of numbers, still imported)";
const FLUSH_BYTES = 1024 * 1024;

export class ExportExistsError extends Error {
  override name = "ExportExistsError";
}

/** Opens a snapshot read-only; tables it lacks count as empty (older collectors). */
export function openSnapshot(file: string): { db: Database.Database; has: (sqliteTable: string) => boolean } {
  const db = openReadOnce(file);
  const names = new Set(db.prepare("select name from sqlite_master where type = 'table'").pluck().all() as string[]);
  return { db, has: (t) => names.has(t) };
}

export function snapshotCount(snapshot: ReturnType<typeof openSnapshot>, table: SyncTable): number {
  const { sqlite } = syncTables[table];
  return snapshot.has(sqlite) ? (snapshot.db.prepare(`select count(*) from ${sqlite}`).pluck().get() as number) : 0;
}

async function write(out: WriteStream, chunk: string): Promise<void> {
  if (!out.write(chunk)) await once(out, "drain");
}

export async function exportSnapshot(options: {
  snapshot: string;
  outDir: string;
  now: () => Date;
  onProgress?: (progress: { table: SyncTable; sqlite: string; rows: number; total: number; done: boolean }) => void;
}): Promise<ExportManifest> {
  if (existsSync(path.join(options.outDir, MANIFEST_FILE))) {
    throw new ExportExistsError(
      `${options.outDir} already holds a finished export (manifest.json): import it, or export to a new directory`,
    );
  }
  makePrivateDir(options.outDir);
  const snapshot = openSnapshot(options.snapshot);
  const files: ManifestFile[] = [];
  try {
    for (const table of syncTableNames) {
      const { sqlite, server, key } = syncTables[table];
      const file = exportFileName(sqlite);
      const total = snapshotCount(snapshot, table);
      const hash = createHash("sha256");
      // Never through a link planted at a file's name (ELOOP); readable by the operator only.
      const target = path.join(options.outDir, file);
      const out = createWriteStream(target, { fd: openPrivate(target, "replace") });
      let rows = 0;
      let bytes = 0;
      let pending = "";
      const flush = async () => {
        hash.update(pending);
        bytes += Buffer.byteLength(pending);
        await write(out, pending);
        pending = "";
      };
      try {
        if (snapshot.has(sqlite)) {
          // Key order: the same snapshot always exports the same bytes.
          for (const row of snapshot.db
            .prepare(`select * from ${sqlite} order by ${key}`)
            .iterate() as IterableIterator<Record<string, unknown>>) {
            pending += `${JSON.stringify(rowToItem(table, row))}\n`;
            rows++;
            if (pending.length >= FLUSH_BYTES) {
              await flush();
              options.onProgress?.({ table, sqlite, rows, total, done: false });
            }
          }
        }
        await flush();
      } finally {
        out.end();
        await once(out, "close");
      }
      options.onProgress?.({ table, sqlite, rows, total, done: true });
      files.push({ table, sqlite, server, file, rows, bytes, sha256: hash.digest("hex") });
    }
  } finally {
    snapshot.db.close();
  }
  const manifest: ExportManifest = {
    version: 1,
    format: EXPORT_FORMAT,
    snapshot: path.resolve(options.snapshot),
    exportedAt: options.now().toISOString(),
    files,
  };
  writeJsonAtomic(path.join(options.outDir, MANIFEST_FILE), manifest);
  return manifest;
}
