// The collector as one prebuilt JavaScript file (scripts/build-collector.mjs,
// run after `npm ci`): started from it, a collector process neither loads
// tsx nor transpiles its sources, which took ~20 MB of its memory and part
// of its start. It is used only while it is at least as new as every file
// it was built from; after an edit the bin runs the sources through tsx
// until the next build, so a stale bundle never runs.
//
// It lives three folders below the project, as the sources it is built
// from do (src/collector/<folder>/), so their paths relative to their own
// file (the SQLite contract, the bin named in schedule units) hold in it.
import { readdirSync, statSync } from "node:fs";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

export const PROJECT_ROOT = fileURLToPath(new URL("..", import.meta.url));
export const BUNDLE_FILE = path.join(PROJECT_ROOT, "dist", "collector", "cli", "collector.mjs");
/**
 * What the bundle is built from: a newer file in any of these makes it stale.
 * Every source esbuild bundles must lie in one of these folders (a test
 * builds with esbuild's list of inputs and checks it).
 */
export const BUNDLE_INPUTS = ["src/collector", "src/shared", "tsconfig.json", "package-lock.json"];

/**
 * esbuild's options for the bundle (scripts/build-collector.mjs): the
 * project's own code bundled, path aliases resolved from tsconfig.json, its
 * packages left as imports of node_modules.
 */
export const BUNDLE_BUILD_OPTIONS = {
  entryPoints: [path.join(PROJECT_ROOT, "src", "collector", "cli.ts")],
  absWorkingDir: PROJECT_ROOT,
  tsconfig: path.join(PROJECT_ROOT, "tsconfig.json"),
  bundle: true,
  packages: /** @type {const} */ ("external"),
  platform: /** @type {const} */ ("node"),
  format: /** @type {const} */ ("esm"),
  target: "node22",
};

/** The newest modification time (ms) of a file or of any file below a folder; 0 when it does not exist. */
function newestMtimeMs(file) {
  let stat;
  try {
    stat = statSync(file);
  } catch {
    return 0;
  }
  if (!stat.isDirectory()) return stat.mtimeMs;
  let newest = stat.mtimeMs;
  for (const entry of readdirSync(file)) newest = Math.max(newest, newestMtimeMs(path.join(file, entry)));
  return newest;
}

/**
 * Whether `bundle` exists and no input (paths relative to `root`) changed after it was written.
 * @param {{ root?: string; bundle?: string; inputs?: readonly string[] }} [options]
 */
export function bundleIsFresh(options = {}) {
  const root = options.root ?? PROJECT_ROOT;
  const bundle = options.bundle ?? BUNDLE_FILE;
  const built = newestMtimeMs(bundle);
  if (built === 0) return false;
  return (options.inputs ?? BUNDLE_INPUTS).every((input) => newestMtimeMs(path.join(root, input)) <= built);
}

/**
 * The collector's command line module (its `main`): the bundle when it is
 * current, else the sources through tsx. XMONITOR_COLLECTOR_FROM_SOURCES=1
 * takes the sources anyway (stack traces then name .ts lines).
 * @returns {Promise<{ main: (argv?: string[]) => Promise<void> }>}
 */
export async function loadCollectorCli() {
  if (!process.env.XMONITOR_COLLECTOR_FROM_SOURCES && bundleIsFresh()) return import(pathToFileURL(BUNDLE_FILE).href);
  const { register } = await import("tsx/esm/api");
  register({ tsconfig: path.join(PROJECT_ROOT, "tsconfig.json") });
  return import(pathToFileURL(path.join(PROJECT_ROOT, "src", "collector", "cli.ts")).href);
}
