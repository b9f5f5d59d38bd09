// npx tsx bench/cutover-memory.ts [-- --tweets N --batch B]
// The cutover's memory bound: a legacy file with N tweets (default
// 1,000,000) goes through `collector cutover all` (freeze, snapshot, export
// with the import in one pass, admin key, validate, restore) against the
// production app on a scratch database. The collector runs as its own process
// (cutover-memory-child.mjs, loading the collector as its bin does), which prints its peak RSS
// (process.resourceUsage().maxRSS) when done, and by step and import table;
// the bound is 300 MB. XMONITOR_BENCH_MEMORY_DETAIL=1 also prints the heap and
// external memory at each import progress line.
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { missingCollectorEnv, missingCollectorFlags } from "../bin/node-flags.js";
import { BULK_CHUNK_ROWS } from "../src/collector/cutover/import";
import { createApiKey } from "../src/server/auth/api-keys";
import { closeDb, createDb } from "../src/server/db";
import { buildLegacyDatabase, legacyBaseInThePast } from "../test/support/legacy-fixture";
import { intArg, scratchDatabase, startAppServer } from "./support";

const LIMIT_MB = 300;

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
    const childEntry = fileURLToPath(new URL("./cutover-memory-child.mjs", import.meta.url));
    const cutoverStarted = Date.now();
    const { output, code } = await new Promise<{ output: string; code: number | null }>((resolve, reject) => {
      // Started as the collector's bin starts it (bin/node-flags.js), without this process's flags (tsx's loader).
      const flags = missingCollectorFlags([]);
      const proc = spawn(process.execPath, [...flags, childEntry, ...args], {
        stdio: ["ignore", "pipe", "inherit"],
        env: {
          ...process.env,
          ...missingCollectorEnv(),
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

await parent();
