// Where the cutover's artifacts go, by the names operators record in their
// execution reports: all in the data directory (the live database's folder
// unless --data-dir), stamped with the cutover's own stamp (the UTC time it
// started), so every artifact of one cutover shares it.
import path from "node:path";
import type { SyncTable } from "~/shared/schemas/tables";
import { pathTaken } from "../util/atomic-file";

/** 'YYYYMMDD_HHMMSS' in UTC. */
export function cutoverStamp(at: Date): string {
  return at.toISOString().replace(/[-:]/g, "").replace("T", "_").slice(0, 15);
}

/** A label safe inside a file name (letters, digits, dot, dash, underscore). */
export function fileSafe(label: string): string {
  const safe = label.replace(/[^A-Za-z0-9_.-]+/g, "-").replace(/^-+|-+$/g, "");
  return safe === "" ? "cutover" : safe.slice(0, 80);
}

export const snapshotPath = (dataDir: string, stamp: string) => path.join(dataDir, `x_monitor.cutover.${stamp}.db`);
export const exportDirPath = (dataDir: string, stamp: string) => path.join(dataDir, `export_cutover_${stamp}`);
/** A validate after a cleanup (a removal on the server) is kept apart from the first: `validate_cutover_post_cleanup_<stamp>.json`. */
export const validateReportPath = (dataDir: string, stamp: string, postCleanup = false) =>
  path.join(dataDir, `validate_cutover_${postCleanup ? "post_cleanup_" : ""}${stamp}.json`);
/**
 * A pass's reject log, named by the role of its key: the ingest-role pass
 * writes `import_rejects_cutover_<stamp>.ndjson`, the admin pass
 * `import_rejects_cutover_admin_<stamp>.ndjson`.
 */
export const rejectLogPath = (dataDir: string, role: string, stamp: string) =>
  path.join(dataDir, `import_rejects_cutover_${role === "ingest" ? "" : `${fileSafe(role)}_`}${stamp}.ndjson`);
/** What a reject log may be called: the import writes (and cuts back) no other file. */
export const REJECT_LOG_NAME = /^import_rejects_[A-Za-z0-9_.-]+\.ndjson$/;
export const stateFilePath = (dataDir: string) => path.join(dataDir, "cutover.state.json");
export const MANIFEST_FILE = "manifest.json";
export const CHECKPOINT_FILE = "import.checkpoint.json";

/** The snapshot's stamp, from its file name (the export directory takes the same one). */
export function stampOfSnapshot(file: string): string | undefined {
  return /x_monitor\.cutover\.(\d{8}_\d{6})(?:_\d+)?\.db$/.exec(path.basename(file))?.[1];
}

/** `file`, or `file` with _2, _3 … before the extension when something is there (two steps in one second, or a link). */
export function unusedPath(file: string): string {
  if (!pathTaken(file)) return file;
  const ext = path.extname(file);
  const base = file.slice(0, file.length - ext.length);
  for (let i = 2; ; i++) {
    const candidate = `${base}_${i}${ext}`;
    if (!pathTaken(candidate)) return candidate;
  }
}

/** The export's file per table, named after the SQLite table it came from. */
export const exportFileName = (sqliteTable: string) => `${sqliteTable}.jsonl`;

export type ManifestFile = {
  table: SyncTable;
  sqlite: string;
  server: string;
  file: string;
  rows: number;
  bytes: number;
  sha256: string;
};
export type ExportManifest = {
  version: 1;
  format: string;
  snapshot: string;
  exportedAt: string;
  files: ManifestFile[];
};
