// bench:cutover-memory's collector process: `cutover-memory-child.mjs
// <collector arguments…>` runs the collector's command line and prints its
// peak RSS, by step and import table and in all. Its own file in plain
// JavaScript, loading the collector as its bin does (the bundle when
// current): the bench's own modules and tsx would otherwise be part of what
// it measures.
import { loadCollectorCli } from "../bin/collector-bundle.js";
/**
 * Where the peak is reached: the collector's maxRSS as each of its lines is
 * written, by the step the line belongs to (a line names its step first;
 * lines that do not, e.g. validate's table, belong to the step before) and,
 * for the import's progress lines, by table.
 */
function trackPeaksByStep() {
  /** @type {Map<string, number>} */
  const peaks = new Map();
  let current = "start";
  const write = process.stdout.write.bind(process.stdout);
  /** @param {string | Uint8Array} chunk @param {unknown[]} rest */
  process.stdout.write = (chunk, ...rest) => {
    for (const line of chunk.toString().split("\n")) {
      const step = /^(freeze|snapshot|export|import|validate|restore)\b/.exec(line)?.[1];
      if (step) current = step;
      const table = step === "import" ? /^import (\w+) → /.exec(line)?.[1] : undefined;
      const at = process.resourceUsage().maxRSS / 1024;
      const name = table ? `import ${table}` : current;
      peaks.set(name, Math.max(peaks.get(name) ?? 0, at));
      if (process.env.XMONITOR_BENCH_MEMORY_DETAIL && table) {
        const m = process.memoryUsage();
        const f = (/** @type {number} */ n) => (n / 1048576).toFixed(0);
        write(
          `  [mem rss ${f(m.rss)} heapTotal ${f(m.heapTotal)} heapUsed ${f(m.heapUsed)} external ${f(m.external)} arrayBuffers ${f(m.arrayBuffers)}]\n`,
        );
      }
    }
    return write(chunk, .../** @type {[]} */ (rest));
  };
  return () => [...peaks].map(([name, mb]) => `${name} ${mb.toFixed(0)}`).join(", ");
}

async function child() {
  const { main } = await loadCollectorCli();
  const argv = process.argv.slice(2);
  const peaksByStep = trackPeaksByStep();
  await main([process.argv[0], "collector", ...argv]);
  const peakMb = process.resourceUsage().maxRSS / 1024;
  process.stdout.write(`collector peak RSS by step and import table (MB, maxRSS so far): ${peaksByStep()}\n`);
  process.stdout.write(`collector peak RSS: ${peakMb.toFixed(1)} MB\n`);
}

await child();
