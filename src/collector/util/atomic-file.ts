// The collector's files hold its data and its keys' work: every file it
// writes is created for the operator only (0600, folders 0700) and never
// through a symbolic link, so a link planted where a file goes (in a shared
// or crafted folder) cannot turn a write into one on another file.
//
// Small state files (health, freeze flag, run locks, checkpoint, manifest)
// are read by other processes at any moment: a temporary file is written
// next to the target and renamed over it, so readers see either the old or
// the new content, never half. The rename replaces a link, never follows it.
import { constants, lstatSync, mkdirSync, openSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { rename, rm, writeFile } from "node:fs/promises";
import path from "node:path";

export const PRIVATE_FILE_MODE = 0o600;
export const PRIVATE_DIR_MODE = 0o700;

let sequence = 0;

/** Creates a folder (and its parents) for the operator only; an existing one is left as it is. */
export function makePrivateDir(dir: string): void {
  mkdirSync(dir, { recursive: true, mode: PRIVATE_DIR_MODE });
}

/** Whether anything (a file, a folder, a link, even a dangling one) stands at this path. */
export function pathTaken(file: string): boolean {
  return lstatSync(file, { throwIfNoEntry: false }) !== undefined;
}

const openModes = {
  /** A new file: fails when anything, a link included, is already there. */
  create: constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL,
  /** Appends, creating the file when missing. */
  append: constants.O_WRONLY | constants.O_APPEND | constants.O_CREAT,
  /** Rewrites from the start, creating the file when missing. */
  replace: constants.O_WRONLY | constants.O_CREAT | constants.O_TRUNC,
  /** Writes into an existing file (to cut it back). */
  existing: constants.O_WRONLY,
} as const;

/** Opens a file for writing without following a link at its path (ELOOP when there is one). */
export function openPrivate(file: string, how: keyof typeof openModes): number {
  return openSync(file, openModes[how] | constants.O_NOFOLLOW, PRIVATE_FILE_MODE);
}

export function writeFileAtomic(file: string, content: string): void {
  makePrivateDir(path.dirname(path.resolve(file)));
  const temp = `${file}.${process.pid}.${++sequence}.tmp`;
  try {
    // "wx": a fresh file, never through whatever stands at the temporary name.
    writeFileSync(temp, content, { flush: true, flag: "wx", mode: PRIVATE_FILE_MODE });
    renameSync(temp, file);
  } catch (error) {
    rmSync(temp, { force: true });
    throw error;
  }
}

/** writeFileAtomic with the write, its flush to disk and the rename off the event loop. */
export async function writeFileAtomicAsync(file: string, content: string): Promise<void> {
  makePrivateDir(path.dirname(path.resolve(file)));
  const temp = `${file}.${process.pid}.${++sequence}.tmp`;
  try {
    await writeFile(temp, content, { flush: true, flag: "wx", mode: PRIVATE_FILE_MODE });
    await rename(temp, file);
  } catch (error) {
    await rm(temp, { force: true });
    throw error;
  }
}

export function writeJsonAtomic(file: string, value: unknown): void {
  writeFileAtomic(file, `${JSON.stringify(value, null, 2)}\n`);
}
