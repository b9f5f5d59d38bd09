// The steps bench:cutover times in its collector process, and their command
// lines: shared by the bench (its report) and its collector child, which
// loads nothing but the collector (plain JavaScript: no tsx in that process).

/** The steps `cutover all` runs between freeze and validate. */
export const STEPS = /** @type {const} */ (["snapshot", "export+import"]);

/**
 * A step's `collector cutover …` arguments; the import's chunk size (rows per bulk chunk) is the bench's --batch,
 * which the bench passes as XMONITOR_BENCH_CHUNK_ROWS.
 * @param {(typeof STEPS)[number]} step
 * @returns {string[]}
 */
export function stepArgs(step) {
  if (step === "snapshot") return ["snapshot"];
  const rows = process.env.XMONITOR_BENCH_CHUNK_ROWS;
  if (!rows) throw new Error("XMONITOR_BENCH_CHUNK_ROWS is not set: the bench sets it for its collector process");
  return ["export", "--import", "--batch-size", rows];
}
