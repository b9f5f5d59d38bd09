// The Node flags the collector runs with, in one place: its bin applies them
// at start, and the benchmarks start their collector processes with them, so
// they measure what operators run.
//
// --max-semi-space-size=8: Node 24's V8 grows the young generation far
// larger than Node 20's did while the cutover streams rows, which raised
// the collector's peak RSS by ~90 MB on a 1,000,000-tweet cutover; capping
// each semi-space brings it back (docs/benchmarks.md). 16 MB did; 8 MB
// gave the cutover's one pass 158-160 MB against 175-177 MB at the same CPU,
// and the content reconcile the same time and RSS (docs/benchmarks.md).
// V8 reads it only when the heap is set up, so it cannot be set from inside
// the process.
export const COLLECTOR_NODE_FLAGS = ["--max-semi-space-size=8"];

// MALLOC_MMAP_THRESHOLD_=131072: glibc's malloc maps each allocation of
// 128 KiB or more on its own and unmaps it when freed, but raises that
// threshold as such blocks are freed, after which megabyte chunk buffers and
// SQLite's blobs come from its heap and stay in the process's RSS when
// freed. Fixed at its first value, the cutover's one pass peaked 8 MB lower
// at the same time (docs/benchmarks.md). glibc reads it when the process
// starts; other C libraries ignore it.
export const COLLECTOR_ENV = { MALLOC_MMAP_THRESHOLD_: "131072" };

/**
 * The collector's environment variables the process was not started with (one set explicitly, to any value, wins).
 * @param {Record<string, string | undefined>} env
 */
export function missingCollectorEnv(env = process.env) {
  return Object.fromEntries(Object.entries(COLLECTOR_ENV).filter(([name]) => env[name] === undefined));
}

/** The collector's flags the process was not started with (a flag given explicitly, with any value, wins). */
export function missingCollectorFlags(execArgv = process.execArgv) {
  const given = new Set(execArgv.map((arg) => arg.split("=")[0]));
  return COLLECTOR_NODE_FLAGS.filter((flag) => !given.has(flag.split("=")[0]));
}
