// Small state files (health, freeze flag, run locks) are read by other
// processes at any moment: write a temporary file next to the target and
// rename it over, so readers see either the old or the new content, never half.
import { mkdirSync, renameSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";

let sequence = 0;

export function writeFileAtomic(file: string, content: string): void {
  mkdirSync(path.dirname(path.resolve(file)), { recursive: true });
  const temp = `${file}.${process.pid}.${++sequence}.tmp`;
  try {
    writeFileSync(temp, content, { flush: true });
    renameSync(temp, file);
  } catch (error) {
    rmSync(temp, { force: true });
    throw error;
  }
}

export function writeJsonAtomic(file: string, value: unknown): void {
  writeFileAtomic(file, `${JSON.stringify(value, null, 2)}\n`);
}
