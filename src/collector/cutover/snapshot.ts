// Step 2: a consistent copy of the live database with SQLite's online backup
// API (the collector may keep writing meanwhile; the copy is one instant),
// then PRAGMA integrity_check on the copy. Nothing downstream reads a copy
// whose check did not say exactly "ok".
import { closeSync, statSync } from "node:fs";
import path from "node:path";
import Database from "better-sqlite3";
import { makePrivateDir, openPrivate } from "../util/atomic-file";
import { cutoverStamp, snapshotPath, unusedPath } from "./paths";
import { openReadOnce } from "./read-once";

export type SnapshotResult = { path: string; stamp: string; bytes: number; pages: number };
export type IntegrityResult = { ok: boolean; lines: string[] };

export async function snapshotDatabase(options: {
  source: string;
  dataDir: string;
  now: () => Date;
  /** The cutover's stamp (default: now's). */
  stamp?: string;
  onProgress?: (done: number, total: number) => void;
}): Promise<SnapshotResult> {
  const stamp = options.stamp ?? cutoverStamp(options.now());
  makePrivateDir(options.dataDir);
  const target = unusedPath(snapshotPath(options.dataDir, stamp));
  let source: Database.Database;
  try {
    source = openReadOnce(options.source);
  } catch (error) {
    throw new Error(`cannot open the live database ${options.source}: ${(error as Error).message}`);
  }
  let pages = 0;
  try {
    source.pragma("busy_timeout = 10000");
    // Created here, for the operator only and never through a link, before SQLite opens it as the backup's target.
    closeSync(openPrivate(target, "create"));
    const done = await source.backup(target, {
      progress: ({ totalPages, remainingPages }) => {
        options.onProgress?.(totalPages - remainingPages, totalPages);
        // Pages per step: large enough to be quick, small enough that a
        // writing collector is not blocked for long.
        return 2000;
      },
    });
    pages = done.totalPages;
    options.onProgress?.(pages, pages);
  } finally {
    source.close();
  }
  // One self-contained file: the copy inherits WAL mode from a live database.
  const copy = new Database(target);
  try {
    copy.pragma("journal_mode = DELETE");
  } catch {
    // A copy too damaged to switch is reported by the integrity check.
  } finally {
    copy.close();
  }
  return { path: path.resolve(target), stamp, bytes: statSync(target).size, pages };
}

/** PRAGMA integrity_check; a file SQLite cannot even read counts as failed, with SQLite's message. */
export function verifyIntegrity(file: string): IntegrityResult {
  let db: Database.Database | undefined;
  try {
    db = openReadOnce(file);
    const lines = db.pragma("integrity_check", { simple: false }) as { integrity_check: string }[];
    const text = lines.map((l) => l.integrity_check);
    return { ok: text.length === 1 && text[0] === "ok", lines: text };
  } catch (error) {
    return { ok: false, lines: [(error as Error).message] };
  } finally {
    db?.close();
  }
}
