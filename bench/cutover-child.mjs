// bench:cutover's collector process: `cutover-child.mjs <dataDir> <label>
// <collector global options…>` runs snapshot, then export with import, in
// one process, each step timed, with one JSON line per step. Its own file
// in plain JavaScript, loading the collector as its bin does (the bundle
// when current): the bench's own modules and tsx would otherwise be part of
// what it measures.
import { loadCollectorCli } from "../bin/collector-bundle.js";
import { STEPS, stepArgs } from "./cutover-steps.mjs";

const { main } = await loadCollectorCli();
const [dataDir, label, ...global] = process.argv.slice(2);
for (const step of STEPS) {
  const started = performance.now();
  await main([
    process.argv[0],
    "collector",
    ...global,
    "cutover",
    "--data-dir",
    dataDir,
    "--label",
    label,
    ...stepArgs(step),
  ]);
  const ms = performance.now() - started;
  // maxRSS so far: which step sets the process's peak.
  process.stdout.write(
    `${JSON.stringify({ bench: "step", step, ms, exitCode: process.exitCode ?? 0, maxRssKb: process.resourceUsage().maxRSS })}\n`,
  );
  if (process.exitCode) break;
}
if (!process.exitCode) {
  const cpu = process.cpuUsage();
  process.stdout.write(
    `${JSON.stringify({ bench: "done", maxRssKb: process.resourceUsage().maxRSS, cpuMs: (cpu.user + cpu.system) / 1000 })}\n`,
  );
}
