// The steps bench:cutover times in its collector process, and their command
// lines: shared by the bench (its report) and its collector child, which
// must load nothing but the collector.
import { BULK_CHUNK_ROWS } from "../src/collector/cutover/import";

/** The steps `cutover all` runs between freeze and validate. */
export const STEPS = ["snapshot", "export+import"] as const;
export type Step = (typeof STEPS)[number];

/** A step's `collector cutover …` arguments; the import's chunk size (rows per bulk chunk) comes from the bench's --batch. */
export const stepArgs = (step: Step): string[] =>
  step === "snapshot"
    ? ["snapshot"]
    : ["export", "--import", "--batch-size", process.env.XMONITOR_BENCH_CHUNK_ROWS ?? String(BULK_CHUNK_ROWS)];
