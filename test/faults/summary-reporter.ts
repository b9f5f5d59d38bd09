// Prints the fault-injection summary table once every scenario has run:
// `npm run test:faults` passes it as a reporter and points
// FAULTS_SUMMARY_DIR at a fresh directory the scenarios write their figures to.
import type { Reporter } from "vitest/node";
import { clearFaultFigures, formatFaultTable, readFaultFigures, SUMMARY_DIR_VARIABLE } from "./summary";

export default class FaultSummaryReporter implements Reporter {
  private started = Date.now();

  onInit(): void {
    this.started = Date.now();
  }

  onTestRunEnd(): void {
    const dir = process.env[SUMMARY_DIR_VARIABLE];
    const figures = dir ? readFaultFigures(dir) : [];
    const wall = Math.round((Date.now() - this.started) / 1000);
    const form = process.env.FAULTS === "full" ? "full set" : "short form";
    const lines = [
      "",
      `Fault injection summary (${form}, ${figures.length} scenario${figures.length === 1 ? "" : "s"}, wall time ${wall} s):`,
      "",
      figures.length
        ? formatFaultTable(figures)
        : `(no scenario recorded its figures${dir ? "" : `: ${SUMMARY_DIR_VARIABLE} is not set`})`,
      "",
    ];
    process.stdout.write(`${lines.join("\n")}\n`);
    if (dir) clearFaultFigures(dir);
  }
}
