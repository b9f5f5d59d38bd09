// Per-scenario figures of the fault-injection tests, and the one table
// `npm run test:faults` prints at the end. Vitest runs each test file in its
// own worker, so every scenario writes its figures to a JSON file in
// FAULTS_SUMMARY_DIR (a fresh directory the script makes) and the reporter in
// ./summary-reporter.ts reads them all once the run is over. Without the
// variable (the short form inside `npm test`) nothing is written.
import { mkdirSync, readdirSync, readFileSync, rmdirSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";

export type FaultFigures = {
  /** Where the row goes in the table (the order scenarios are listed in). */
  order: number;
  scenario: string;
  /** Faults deliberately injected, in total. */
  faults: number;
  /** What they were, e.g. "24 app SIGKILLs, 12 connection terminations". */
  faultDetail: string;
  /** Collector runs, pushes or imports that ran while faults were injected. */
  runs: number;
  /** Rows compared key by key with PostgreSQL at the end. */
  rows: number;
  /** Rows missing on the server or there in an older version. */
  lost: number;
  /** Rows (or batches) written twice, or rows on the server nobody sent. */
  duplicated: number;
  /** 5xx answers seen by the clients; 503 (with Retry-After) counted apart too. */
  fiveXx: number;
  fiveOhThree: number;
  /** Seconds the scenario's test took. */
  seconds: number;
};

export const SUMMARY_DIR_VARIABLE = "FAULTS_SUMMARY_DIR";

export function recordFaultFigures(figures: FaultFigures): void {
  const dir = process.env[SUMMARY_DIR_VARIABLE];
  if (!dir) return;
  mkdirSync(dir, { recursive: true });
  const name = figures.scenario.replace(/[^A-Za-z0-9]+/g, "-").toLowerCase();
  writeFileSync(
    path.join(dir, `${String(figures.order).padStart(2, "0")}-${name}.json`),
    `${JSON.stringify(figures, null, 2)}\n`,
  );
}

const FILE_NAME = /^\d{2}-[a-z0-9-]+\.json$/;

export function readFaultFigures(dir: string): FaultFigures[] {
  let names: string[];
  try {
    names = readdirSync(dir).filter((n) => FILE_NAME.test(n));
  } catch {
    return [];
  }
  return names
    .map((n) => JSON.parse(readFileSync(path.join(dir, n), "utf8")) as FaultFigures)
    .sort((a, b) => a.order - b.order || a.scenario.localeCompare(b.scenario));
}

/** Removes the figure files (and the directory, when nothing else is in it). */
export function clearFaultFigures(dir: string): void {
  try {
    for (const n of readdirSync(dir).filter((f) => FILE_NAME.test(f))) rmSync(path.join(dir, n), { force: true });
    rmdirSync(dir);
  } catch {
    // already gone, or holds other files: leave it
  }
}

const n = (v: number) => v.toLocaleString("en-US");
const fiveXxCell = (total: number, fiveOhThree: number) =>
  fiveOhThree > 0 ? `${n(total)} (${n(fiveOhThree)} × 503)` : n(total);

/** The summary as a Markdown table: one row per scenario and a total. */
export function formatFaultTable(rows: readonly FaultFigures[]): string {
  const header = ["scenario", "faults injected", "runs", "rows", "lost", "duplicated", "5xx seen"];
  const body = rows.map((r) => [
    r.scenario,
    `${n(r.faults)} (${r.faultDetail})`,
    n(r.runs),
    n(r.rows),
    n(r.lost),
    n(r.duplicated),
    fiveXxCell(r.fiveXx, r.fiveOhThree),
  ]);
  const sum = (f: (r: FaultFigures) => number) => rows.reduce((acc, r) => acc + f(r), 0);
  body.push([
    "**total**",
    n(sum((r) => r.faults)),
    n(sum((r) => r.runs)),
    n(sum((r) => r.rows)),
    n(sum((r) => r.lost)),
    n(sum((r) => r.duplicated)),
    fiveXxCell(
      sum((r) => r.fiveXx),
      sum((r) => r.fiveOhThree),
    ),
  ]);
  const line = (cells: string[]) => `| ${cells.join(" | ")} |`;
  return [line(header), line(header.map(() => "---")), ...body.map(line)].join("\n");
}
