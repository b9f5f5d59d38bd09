// bench:cutover's figures: the comparison with pgloader, where our time
// goes, the server's side per table, and the issue's three judgements (time,
// memory as the collector's peak plus the app's growth over idle, re-run).
import { availableParallelism } from "node:os";
import type { MeasuredRun } from "./process-tree";
import { median, printTable, summarise } from "./support";
import { STEPS } from "./cutover-steps.mjs";

export type Counts = { inserted: number; updated: number; unchanged: number; rejected: number };

export type TableFigures = { batches: number; txMs: number; spanMs: number };
export type ServerFigures = TableFigures & { tables: Record<string, TableFigures> };

export type OursRun = MeasuredRun & {
  steps: Record<(typeof STEPS)[number], number>;
  /** The collector's own maxRSS at the end of each step (kB). */
  stepPeaks: Record<(typeof STEPS)[number], number>;
  tables: Record<string, Counts>;
  collectorCpuMs: number;
  appCpuMs: number;
  appPeakKb: number;
  /** The app's RSS at rest just before the run (kB). */
  appIdleKb: number;
  server: ServerFigures;
};

export const mb = (kb: number) => kb / 1024;
export const sec = (ms: number) => ms / 1000;

/** The issue's memory figure for one of our runs: the collector's peak plus the app's growth over idle (kB). */
export const oursMemoryKb = (r: OursRun) => r.peakKb + Math.max(0, r.appPeakKb - r.appIdleKb);

export function printCutoverReport({
  first,
  rerun,
  tunedRuns,
  loader,
  tuned,
}: {
  first: OursRun[];
  rerun: OursRun[];
  tunedRuns: OursRun[];
  loader: MeasuredRun[];
  tuned: { batch: number; inFlight: number } | undefined;
}): void {
  const wall = (runs: MeasuredRun[]) => runs.map((r) => sec(r.wallMs));
  const peak = (runs: MeasuredRun[]) => runs.map((r) => mb(r.peakKb));
  const ratio = (runs: MeasuredRun[], of: (runs: MeasuredRun[]) => number[]) =>
    runs.length && loader.length ? (median(of(runs)) / median(of(loader))).toFixed(2) : "—";
  const row = (label: string, runs: MeasuredRun[], reference = false) =>
    runs.length
      ? [
          label,
          summarise(wall(runs), 1),
          summarise(peak(runs), 0),
          reference ? "1.00" : ratio(runs, wall),
          reference ? "1.00" : ratio(runs, peak),
        ]
      : [label, "skipped", "skipped", "—", "—"];
  console.log("");
  printTable(
    ["path", "wall s median (min–max)", "peak RSS MB median (min–max)", "time ÷ pgloader", "memory ÷ pgloader"],
    [
      row("ours: snapshot + export with import (empty server)", first),
      row("ours: re-run on the imported server (all unchanged)", rerun),
      ...(tuned ? [row(`ours, batches of ${tuned.batch}, ${tuned.inFlight} in flight (empty server)`, tunedRuns)] : []),
      row("pgloader (own schema, fresh database)", loader, true),
    ],
  );

  console.log("\nwhere our time goes (median of the repetitions, seconds; CPU in core-seconds):");
  const stepRow = (label: string, runs: OursRun[]) => [
    label,
    ...STEPS.map((s) => median(runs.map((r) => sec(r.steps[s]))).toFixed(1)),
    median(runs.map((r) => r.server.batches)).toFixed(0),
    median(runs.map((r) => sec(r.server.txMs))).toFixed(1),
    median(runs.map((r) => sec(r.collectorCpuMs))).toFixed(1),
    median(runs.map((r) => sec(r.appCpuMs))).toFixed(1),
    median(runs.map((r) => mb(r.appPeakKb))).toFixed(0),
  ];
  printTable(
    ["run", ...STEPS, "batches", "server tx (sum)", "collector CPU", "app CPU", "app peak RSS MB"],
    [
      stepRow("empty server", first),
      ...(rerun.length ? [stepRow("re-run", rerun)] : []),
      ...(tunedRuns.length ? [stepRow(`${tuned!.batch} × ${tuned!.inFlight} in flight`, tunedRuns)] : []),
    ],
  );
  printCpuBudget(first, loader);
  const peakAfter = (runs: OursRun[]) =>
    STEPS.map((s) => `${s} ${median(runs.map((r) => mb(r.stepPeaks[s]))).toFixed(0)}`).join(", ");
  console.log(
    `collector peak RSS (MB, its own maxRSS) at the end of each step: empty server: ${peakAfter(first)}${rerun.length ? `; re-run: ${peakAfter(rerun)}` : ""}`,
  );

  console.log(
    "\nserver side of the import, per table (median; span = first batch received to last finished; tx = time inside the ingest transactions, summed over batches in flight):",
  );
  const tableNames = [...new Set(first.flatMap((r) => Object.keys(r.server.tables)))];
  const perTable = (runs: OursRun[], t: string, f: keyof TableFigures) =>
    runs.length ? median(runs.map((r) => r.server.tables[t]?.[f] ?? 0)) : NaN;
  const s1 = (v: number) => (Number.isNaN(v) ? "—" : sec(v).toFixed(1));
  printTable(
    ["table", "batches", "empty: span s", "empty: tx s", "re-run: span s", "re-run: tx s"],
    tableNames.map((t) => [
      t,
      perTable(first, t, "batches").toFixed(0),
      s1(perTable(first, t, "spanMs")),
      s1(perTable(first, t, "txMs")),
      s1(perTable(rerun, t, "spanMs")),
      s1(perTable(rerun, t, "txMs")),
    ]),
  );

  console.log(
    "\nmemory as the issue counts it (MB, median): the collector's peak (its whole process tree) plus the app's RSS growth over its idle RSS just before the run:",
  );
  const memRow = (label: string, runs: OursRun[]) => [
    label,
    median(runs.map((r) => mb(r.peakKb))).toFixed(0),
    median(runs.map((r) => mb(r.appIdleKb))).toFixed(0),
    median(runs.map((r) => mb(r.appPeakKb))).toFixed(0),
    median(runs.map((r) => mb(oursMemoryKb(r)))).toFixed(0),
  ];
  printTable(
    ["run", "collector peak", "app idle", "app peak", "collector + app growth"],
    rerun.length ? [memRow("empty server", first), memRow("re-run", rerun)] : [memRow("empty server", first)],
  );

  // The issue's three judgements (cutover issue, "Done when").
  const firstImport = median(first.map((r) => r.steps["export+import"]));
  if (rerun.length) {
    const rerunImport = median(rerun.map((r) => r.steps["export+import"]));
    const q = rerunImport / firstImport;
    console.log(
      `\ntarget: re-run on the imported server ≤ 0.5 × the first import → ${q <= 0.5 ? "met" : "MISSED"} (${q.toFixed(2)}: ${sec(rerunImport).toFixed(1)} s against ${sec(firstImport).toFixed(1)} s; end to end ${(median(wall(rerun)) / median(wall(first))).toFixed(2)})`,
    );
  }
  if (loader.length) {
    const t = median(wall(first)) / median(wall(loader));
    const loaderPeak = median(peak(loader));
    const ours = median(first.map((r) => mb(oursMemoryKb(r))));
    const m = ours / loaderPeak;
    console.log(
      `target: ours (snapshot + export + import) ≤ 1.0 × pgloader's wall time → ${t <= 1 ? "met" : "MISSED"} (${t.toFixed(2)}×)`,
    );
    console.log(
      `target: collector peak + app growth ≤ ⅓ of pgloader's peak → ${m <= 1 / 3 ? "met" : "MISSED"} (${ours.toFixed(0)} MB = ${m.toFixed(2)} of ${loaderPeak.toFixed(0)} MB${m <= 1 / 3 ? "" : `, ${(ours - loaderPeak / 3).toFixed(0)} MB over the third`})`,
    );
    if (tunedRuns.length) {
      console.log(
        `  with batches of ${tuned!.batch}, ${tuned!.inFlight} in flight: ${(median(wall(tunedRuns)) / median(wall(loader))).toFixed(2)}× its time, ${(median(tunedRuns.map((r) => mb(oursMemoryKb(r)))) / loaderPeak).toFixed(2)} of its peak memory`,
      );
    }
  } else {
    console.log("target: not judged against pgloader (--no-pgloader)");
  }
}

/**
 * Where the core-seconds of a first import and of pgloader's run go, and
 * what that bounds: on this machine's cores no run can take less wall time
 * than its CPU divided by them.
 */
function printCpuBudget(first: OursRun[], loader: MeasuredRun[]): void {
  const cores = availableParallelism();
  /** Per party, its CPU in each run (null: not measured here); a party a run does not have is left out. */
  type Party = (number | null)[] | "none";
  const known = (values: (number | null)[]): values is number[] => values.every((v) => v !== null);
  const seconds = (values: (number | null)[]) => (known(values) ? median(values.map(sec)).toFixed(1) : "—");
  const row = (label: string, runs: MeasuredRun[], parties: Party[]) => {
    const present = parties.filter((p): p is (number | null)[] => p !== "none");
    const totals = runs.map((_, i) => present.map((p) => p[i] ?? null));
    const sums = totals.map((parts) => (known(parts) ? parts.reduce((a, b) => a + b, 0) : null));
    return [
      label,
      ...parties.map((p) => (p === "none" ? "—" : seconds(p))),
      seconds(sums),
      median(runs.map((r) => sec(r.wallMs))).toFixed(1),
      known(sums) ? (median(sums.map(sec)) / cores).toFixed(1) : "—",
    ];
  };
  console.log(
    `\nCPU by party (core-seconds, median; PostgreSQL: all its processes on this machine during the run), against the wall time and the floor it sets on ${cores} cores:`,
  );
  printTable(
    ["run", "collector or pgloader", "app", "PostgreSQL", "total", "wall s", "total ÷ cores s"],
    [
      row("ours, empty server", first, [
        first.map((r) => r.collectorCpuMs),
        first.map((r) => r.appCpuMs),
        first.map((r) => r.postgresCpuMs),
      ]),
      ...(loader.length
        ? [row("pgloader", loader, [loader.map((r) => r.cpuMs), "none", loader.map((r) => r.postgresCpuMs)])]
        : []),
    ],
  );
}
