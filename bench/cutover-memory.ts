// npx tsx bench/cutover-memory.ts [-- --tweets N --batch B]
// The cutover's memory bound: a legacy file with N tweets (default
// 1,000,000) goes through `collector cutover all` (freeze, snapshot, export
// with the import in one pass, admin key, validate, restore) against the
// production app on a scratch database. The collector runs as its own process
// (this script again, with --child), which prints its peak RSS
// (process.resourceUsage().maxRSS) when done, and by step and import table;
// the bound is 300 MB. XMONITOR_BENCH_MEMORY_DETAIL=1 also prints the heap and
// external memory at each import progress line.
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { missingCollectorFlags } from "../bin/node-flags.js";
import { BULK_CHUNK_ROWS } from "../src/collector/cutover/import";
import { createApiKey } from "../src/server/auth/api-keys";
import { closeDb, createDb } from "../src/server/db";
import { buildLegacyDatabase, legacyBaseInThePast } from "../test/support/legacy-fixture";
import { intArg, scratchDatabase, startAppServer } from "./support";

const LIMIT_MB = 300;

/**
 * Where the peak is reached: the collector's maxRSS as each of its lines is
 * written, by the step the line belongs to (a line names its step first;
 * lines that do not, e.g. validate's table, belong to the step before) and,
 * for the import's progress lines, by table.
 */
function trackPeaksByStep(): () => string {
  const peaks = new Map<string, number>();
  let current = "start";
  const write = process.stdout.write.bind(process.stdout);
  process.stdout.write = (chunk: string | Uint8Array, ...rest: unknown[]) => {
    for (const line of chunk.toString().split("\n")) {
      const step = /^(freeze|snapshot|export|import|validate|restore)\b/.exec(line)?.[1];
      if (step) current = step;
      const table = step === "import" ? /^import (\w+) → /.exec(line)?.[1] : undefined;
      const at = process.resourceUsage().maxRSS / 1024;
      const name = table ? `import ${table}` : current;
      peaks.set(name, Math.max(peaks.get(name) ?? 0, at));
      if (process.env.XMONITOR_BENCH_MEMORY_DETAIL && table) {
        const m = process.memoryUsage();
        const f = (n: number) => (n / 1048576).toFixed(0);
        write(
          `  [mem rss ${f(m.rss)} heapTotal ${f(m.heapTotal)} heapUsed ${f(m.heapUsed)} external ${f(m.external)} arrayBuffers ${f(m.arrayBuffers)}]\n`,
        );
      }
    }
    return (write as (...args: unknown[]) => boolean)(chunk, ...rest);
  };
  return () => [...peaks].map(([name, mb]) => `${name} ${mb.toFixed(0)}`).join(", ");
}

async function child(): Promise<void> {
  const { main } = await import("../src/collector/cli");
  const argv = process.argv.slice(process.argv.indexOf("--child") + 1);
  const peaksByStep = trackPeaksByStep();
  await main([process.argv[0]!, "collector", ...argv]);
  const peakMb = process.resourceUsage().maxRSS / 1024;
  process.stdout.write(`collector peak RSS by step and import table (MB, maxRSS so far): ${peaksByStep()}\n`);
  process.stdout.write(`collector peak RSS: ${peakMb.toFixed(1)} MB\n`);
}

async function parent(): Promise<void> {
  const tweets = intArg("tweets", 1_000_000);
  const batch = intArg("batch", BULK_CHUNK_ROWS); // rows per bulk chunk
  const dir = mkdtempSync(path.join(tmpdir(), "xm-cutover-bench-"));
  const scratch = await scratchDatabase("cutover");
  const app = await startAppServer({ databaseUrl: scratch.url, env: { RATE_LIMIT_PER_MINUTE: "100000" } });
  try {
    const db = createDb(scratch.url, { max: 2 });
    const { key } = await createApiKey(db, { name: "bench-cutover", role: "admin" });
    await closeDb(db);

    const started = Date.now();
    const file = path.join(dir, "x_monitor.db");
    const counts = {
      tweets,
      reports: 1_000,
      watchAccounts: 50,
      runs: 1_000,
      embeddings: 10_000,
      summaries: 100,
      shifts: 100,
    };
    buildLegacyDatabase(file, counts, {
      // A million tweets 37 s apart span 428 days: start early enough that none lies in the future.
      base: legacyBaseInThePast(counts),
      onProgress: (table, rows) => {
        if (rows % 200_000 === 0) console.log(`legacy ${table}: ${rows} rows`);
      },
    });
    console.log(`legacy file with ${tweets} tweets built in ${((Date.now() - started) / 1000).toFixed(1)} s`);

    const args = [
      "--db",
      file,
      "--api-base-url",
      app.baseUrl,
      "--api-key",
      key,
      "--collector",
      "bench-box",
      "cutover",
      "all",
      "--timeout",
      "5",
      "--batch-size",
      String(batch),
    ];
    const self = fileURLToPath(import.meta.url);
    const cutoverStarted = Date.now();
    const { output, code } = await new Promise<{ output: string; code: number | null }>((resolve, reject) => {
      // Started as the collector's bin starts it (bin/node-flags.js).
      const flags = [...process.execArgv, ...missingCollectorFlags()];
      const proc = spawn(process.execPath, [...flags, self, "--child", ...args], {
        stdio: ["ignore", "pipe", "inherit"],
        env: {
          ...process.env,
          XMONITOR_FREEZE_FILE: path.join(dir, "freeze"),
          XMONITOR_RUN_LOCK_DIR: path.join(dir, "running"),
          XMONITOR_HEALTH_FILE: path.join(dir, "health.json"),
        },
      });
      let text = "";
      proc.stdout.on("data", (chunk: Buffer) => {
        text += chunk.toString();
        process.stdout.write(chunk);
      });
      proc.on("error", reject);
      proc.on("exit", (exitCode) => resolve({ output: text, code: exitCode }));
    });
    const peak = Number(/collector peak RSS: ([\d.]+) MB/.exec(output)?.[1]);
    console.log(
      `\ncutover all of ${tweets} tweets in ${((Date.now() - cutoverStarted) / 1000).toFixed(1)} s, chunks of ${batch} rows`,
    );
    console.log(
      `collector peak RSS ${peak.toFixed(1)} MB (bound ${LIMIT_MB} MB): ${peak < LIMIT_MB ? "PASS" : "FAIL"}`,
    );
    if (!(peak < LIMIT_MB)) process.exitCode = 1;
    // A figure of a cutover that did not finish is no figure: the run fails whatever its memory.
    if (code !== 0) {
      console.log(`cutover all FAILED (the collector exited with code ${code}): see its lines above`);
      process.exitCode = 1;
    }
  } finally {
    await app.stop();
    await scratch.drop();
    rmSync(dir, { recursive: true, force: true });
  }
}

if (process.argv.includes("--child")) await child();
else await parent();
