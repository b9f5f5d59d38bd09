#!/usr/bin/env node
// `npm run build:collector` (also after `npm ci`): the collector's command
// line as one ES module (bin/collector-bundle.js says why and where, and
// with which options). Written to a temporary
// file and renamed, so a collector starting meanwhile reads the old bundle
// or the new one, never half of one. With --if-possible (after `npm ci`) a
// failure is a warning: the collector then runs from its sources.
import { mkdirSync, renameSync, writeFileSync } from "node:fs";
import path from "node:path";
import { BUNDLE_BUILD_OPTIONS, BUNDLE_FILE, PROJECT_ROOT } from "../bin/collector-bundle.js";

const ifPossible = process.argv.includes("--if-possible");
/** @param {unknown} error */
function notBuilt(error) {
  if (!ifPossible) throw error;
  console.warn(
    `collector bundle not built (${error instanceof Error ? error.message.split("\n")[0] : String(error)}): the collector runs from its sources through tsx; npm run build:collector to retry`,
  );
  process.exit(0);
}

const started = performance.now();
const { build } = await import("esbuild").catch(notBuilt);
const result = await build({ ...BUNDLE_BUILD_OPTIONS, write: false, logLevel: "warning" }).catch(notBuilt);
mkdirSync(path.dirname(BUNDLE_FILE), { recursive: true });
const temporary = `${BUNDLE_FILE}.${process.pid}.tmp`;
writeFileSync(temporary, result.outputFiles[0].contents);
renameSync(temporary, BUNDLE_FILE);
console.log(
  `collector bundle: ${path.relative(PROJECT_ROOT, BUNDLE_FILE)} (${(result.outputFiles[0].contents.length / 1024).toFixed(0)} KiB) in ${(performance.now() - started).toFixed(0)} ms`,
);
