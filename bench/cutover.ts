// npm run bench:cutover [-- --quick] [-- --tweets N --embeddings N --runs N --reports N --dims D --reps R --batch B --in-flight C]
//                       [-- --tuned B:C]   (also ours on another empty server with batches of B, C in flight)
//                       [-- --collector-node-options "<node flags>"]   (e.g. heap limits, for the collector process only)
//                       [-- --no-pgloader --no-rerun --cpu-prof DIR]   (profiling runs of ours alone:
//                       V8 CPU profiles of the app and the collector in DIR; bench/cpu-profile-summary.ts reads them)
//
// A legacy collector file in the contract's shape (seeded generator,
// test/support/legacy-fixture.ts: 200,000 tweets, 50,000 embeddings
// of 384 dimensions, 5,000 runs, 5,000 reports) moved into
// PostgreSQL two ways:
//
//  - ours: `collector cutover snapshot`, then `export --import` with an admin
//    key (the export written in the same pass as the import, all seven
//    tables) through the production app (`next start`) on an empty scratch
//    database, in one collector process (cutover-child.mjs),
//    as `cutover all` runs them;
//  - pgloader (Debian's package, installed with apt-get when missing; the
//    column is skipped with a message when that is impossible) copying the
//    same file into a fresh, empty database with the schema it makes itself.
//
// Each is measured as a child process: wall time, and peak RSS of its whole
// process tree (bench/process-tree.ts). Then ours again on the already
// imported server (every row `unchanged`). PostgreSQL's own memory is in
// neither figure; the app's is printed beside ours.
import { mkdtempSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { missingCollectorEnv, missingCollectorFlags } from "../bin/node-flags.js";
import { BULK_PATH } from "../src/shared/schemas/bulk";
import { BULK_CHUNK_ROWS } from "../src/collector/cutover/import";
import { createApiKey } from "../src/server/auth/api-keys";
import { createDb } from "../src/server/db";
import { buildLegacyDatabase, legacyBaseInThePast, type LegacyCounts } from "../test/support/legacy-fixture";
import { startTestServer } from "../test/support/test-server";
import { serverBatches, tableCounts } from "./cutover-server";
import { ensurePgloader, runPgloader } from "./pgloader";
import { runMeasured, treeRssKb, watchTree, type MeasuredRun } from "./process-tree";
import { mb, printCutoverReport, sec, type Counts, type OursRun } from "./cutover-report";
import { STEPS } from "./cutover-steps.mjs";
import { flagArg, intArg, isEntry, processCpuMs, scratchDatabase, startAppServer } from "./support";

const FULL = { tweets: 200_000, embeddings: 50_000, runs: 5_000, reports: 5_000, dims: 384, reps: 3 };
const QUICK = { tweets: 2_000, embeddings: 500, runs: 50, reports: 50, dims: 256, reps: 2 };

// ---- measurements ---------------------------------------------------------------

async function runOurs(options: {
  file: string;
  baseUrl: string;
  key: string;
  appPid: number;
  label: string;
  batch: number;
  inFlight: number;
  scratchUrl: string;
  cpuProfDir?: string;
  nodeOptions?: string[];
}): Promise<OursRun> {
  const dir = mkdtempSync(path.join(tmpdir(), "xm-bench-cutover-"));
  try {
    const global = [
      "--json",
      "--db",
      options.file,
      "--api-base-url",
      options.baseUrl,
      "--api-key",
      options.key,
      "--collector",
      "bench-box",
    ];
    const appCpuBefore = processCpuMs(options.appPid);
    // The app's peak during this run only (its VmHWM covers earlier runs too): the largest sampled RSS of its tree.
    // Its RSS at rest just before, so the run's cost is its growth over idle (the issue's memory figure).
    const appIdleKb = treeRssKb(options.appPid);
    const app = watchTree(options.appPid, { intervalMs: 50 });
    const profiling = options.cpuProfDir
      ? ["--cpu-prof", `--cpu-prof-dir=${path.join(options.cpuProfDir, "collector")}`]
      : [];
    const run = await runMeasured(
      process.execPath,
      [
        // Not this process's flags (tsx's loader): the child loads the collector as its bin does.
        ...profiling,
        ...(options.nodeOptions ?? []),
        // The flags the collector's bin starts with (unless --collector-node-options set them otherwise).
        ...missingCollectorFlags(options.nodeOptions ?? []),
        fileURLToPath(new URL("./cutover-child.mjs", import.meta.url)),
        dir,
        options.label,
        ...global,
      ],
      {
        env: {
          ...process.env,
          ...missingCollectorEnv(),
          XMONITOR_BENCH_CHUNK_ROWS: String(options.batch),
          XMONITOR_INGEST_CONCURRENCY: String(options.inFlight),
          XMONITOR_FREEZE_FILE: path.join(dir, "freeze"),
          XMONITOR_RUN_LOCK_DIR: path.join(dir, "running"),
          XMONITOR_HEALTH_FILE: path.join(dir, "health.json"),
        },
        postgresCpu: true,
      },
    );
    const appPeakKb = app.stop().peakTreeKb;
    const appCpuMs = processCpuMs(options.appPid) - appCpuBefore;
    const events = run.stdout
      .split("\n")
      .filter((l) => l.startsWith("{"))
      .map((l) => {
        try {
          return JSON.parse(l) as Record<string, unknown>;
        } catch {
          return {};
        }
      });
    const failed = run.exitCode !== 0 || events.some((e) => e.bench === "step" && e.exitCode !== 0);
    if (failed) {
      throw new Error(
        `our cutover (${options.label}) failed with exit code ${run.exitCode}:\n${run.stdout.slice(-4000)}\n${run.stderr.slice(-4000)}`,
      );
    }
    const steps = Object.fromEntries(
      events.filter((e) => e.bench === "step").map((e) => [e.step as string, e.ms as number]),
    ) as OursRun["steps"];
    const stepPeaks = Object.fromEntries(
      events.filter((e) => e.bench === "step").map((e) => [e.step as string, e.maxRssKb as number]),
    ) as OursRun["stepPeaks"];
    const done = events.find((e) => e.bench === "done") ?? {};
    const importOk = events.find((e) => e.event === "import_ok") as { tables?: Record<string, Counts> } | undefined;
    const server = await serverBatches(options.scratchUrl, options.label);
    return {
      ...run,
      steps,
      stepPeaks,
      tables: importOk?.tables ?? {},
      collectorCpuMs: Number(done.cpuMs ?? 0),
      appCpuMs,
      appPeakKb,
      appIdleKb,
      server,
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

// ---- the benchmark ----------------------------------------------------------------

export async function main(argv: readonly string[] = process.argv): Promise<void> {
  const quick = flagArg("quick", argv);
  const base = quick ? QUICK : FULL;
  const sizes = {
    tweets: intArg("tweets", base.tweets, argv),
    embeddings: intArg("embeddings", base.embeddings, argv),
    runs: intArg("runs", base.runs, argv),
    reports: intArg("reports", base.reports, argv),
    dims: intArg("dims", base.dims, argv),
  };
  const reps = intArg("reps", base.reps, argv);
  const batch = intArg("batch", BULK_CHUNK_ROWS, argv); // rows per bulk chunk, the import's default
  const inFlight = intArg("in-flight", 2, argv); // and XMONITOR_INGEST_CONCURRENCY
  const counts: LegacyCounts = {
    tweets: sizes.tweets,
    embeddings: sizes.embeddings,
    runs: sizes.runs,
    reports: sizes.reports,
    watchAccounts: 50,
    summaries: 100,
    shifts: 100,
  };
  const expected = {
    tweets: counts.tweets,
    tweet_embeddings: counts.embeddings,
    runs: counts.runs,
    reports: counts.reports,
    watch_accounts: counts.watchAccounts,
    window_summaries: counts.summaries,
    narrative_shifts: counts.shifts,
  };
  const serverExpected = {
    posts: counts.tweets,
    embeddings: counts.embeddings,
    pipeline_runs: counts.runs,
    reports: counts.reports,
    watch_accounts: counts.watchAccounts,
    window_summaries: counts.summaries,
    narrative_shifts: counts.shifts,
  };

  console.log(
    `bench:cutover${quick ? " (quick)" : ""}: ${Object.entries(sizes)
      .map(([k, v]) => `${k}=${v.toLocaleString("en-US")}`)
      .join(" ")}, ${reps} repetitions, batches of ${batch}, ${inFlight} in flight`,
  );
  const pgloader = flagArg("no-pgloader", argv) ? null : ensurePgloader();
  const withRerun = !flagArg("no-rerun", argv);
  const nodeOptionsAt = argv.indexOf("--collector-node-options");
  const nodeOptions = nodeOptionsAt >= 0 ? (argv[nodeOptionsAt + 1] ?? "").split(/\s+/).filter(Boolean) : [];
  if (nodeOptions.length) console.log(`collector process started with ${nodeOptions.join(" ")}`);
  const cpuProfAt = argv.indexOf("--cpu-prof");
  const cpuProfDir = cpuProfAt >= 0 && argv[cpuProfAt + 1] ? path.resolve(argv[cpuProfAt + 1]!) : undefined;
  const dir = mkdtempSync(path.join(tmpdir(), "xm-bench-legacy-"));
  const file = path.join(dir, "x_monitor.db");
  const started = performance.now();
  buildLegacyDatabase(file, counts, { seed: 8, dims: sizes.dims, base: legacyBaseInThePast(counts) });
  const { size } = statSync(file);
  console.log(
    `legacy file: ${(size / 1024 / 1024).toFixed(1)} MB, built in ${sec(performance.now() - started).toFixed(1)} s (seed 8)`,
  );
  const pgServer = await startTestServer();

  const tunedArg = argv[argv.indexOf("--tuned") + 1];
  const tuned =
    argv.includes("--tuned") && /^\d+:\d+$/.test(tunedArg ?? "")
      ? { batch: Number(tunedArg!.split(":")[0]), inFlight: Number(tunedArg!.split(":")[1]) }
      : undefined;
  const first: OursRun[] = [];
  const rerun: OursRun[] = [];
  const tunedRuns: OursRun[] = [];
  const loader: MeasuredRun[] = [];
  const stepsLine = (r: OursRun) => STEPS.map((s) => `${s} ${sec(r.steps[s]).toFixed(1)} s`).join(", ");

  /** A scratch database (empty, migrated), the app on it and an admin key; gone afterwards. */
  const withFreshServer = async (
    name: string,
    work: (common: Omit<Parameters<typeof runOurs>[0], "label">) => Promise<void>,
  ) => {
    const scratch = await scratchDatabase(name);
    let app: Awaited<ReturnType<typeof startAppServer>> | undefined;
    try {
      app = await startAppServer({
        databaseUrl: scratch.url,
        env: {
          RATE_LIMIT_PER_MINUTE: "1000000",
          ...(cpuProfDir
            ? {
                NODE_OPTIONS: `--import=${pathToFileURL(path.join(import.meta.dirname, "cpu-prof-hook.mjs")).href}`,
                XM_CPU_PROF_DIR: path.join(cpuProfDir, "app"),
              }
            : {}),
        },
      });
      const db = createDb(scratch.url, { max: 2 });
      const { key } = await createApiKey(db, { name: "bench-cutover", role: "admin" });
      await db.$disconnect();
      // An operator's app has served requests before a cutover: load the routes the import uses (a bulk
      // chunk without its envelope is refused, nothing is written), so "idle" is a running app at rest.
      for (const [route, method] of [
        ["/api/healthz", "GET"],
        [BULK_PATH, "POST"],
      ] as const)
        await fetch(`${app.baseUrl}${route}`, { method, headers: { authorization: `Bearer ${key}` } }).then((r) =>
          r.arrayBuffer(),
        );
      await work({
        file,
        baseUrl: app.baseUrl,
        key,
        appPid: app.child.pid!,
        batch,
        inFlight,
        scratchUrl: scratch.url,
        nodeOptions,
        ...(cpuProfDir ? { cpuProfDir } : {}),
      });
    } finally {
      await app?.stop();
      await scratch.drop();
    }
  };
  const checkStored = async (url: string, label: string) => {
    const stored = await tableCounts(url, Object.keys(serverExpected));
    const missing = Object.entries(serverExpected).filter(([t, n]) => stored[t] !== n);
    if (missing.length)
      throw new Error(
        `after our import (${label}): ${missing.map(([t, n]) => `${t}=${stored[t]} (expected ${n})`).join(", ")}`,
      );
  };

  try {
    for (let rep = 1; rep <= reps; rep++) {
      await withFreshServer(`cutover_${rep}`, async (common) => {
        const a = await runOurs({ ...common, label: `bench-first-${rep}` });
        await checkStored(common.scratchUrl, "first");
        const inserted = Object.values(a.tables).reduce((s, t) => s + t.inserted, 0);
        first.push(a);
        console.log(
          `rep ${rep} ours, empty server: ${sec(a.wallMs).toFixed(1)} s, peak ${mb(a.peakKb).toFixed(0)} MB (${a.processes} process${a.processes === 1 ? "" : "es"}), ${inserted.toLocaleString("en-US")} inserted; steps ${stepsLine(a)}`,
        );
        if (!withRerun) return;
        const b = await runOurs({ ...common, label: `bench-rerun-${rep}` });
        const notUnchanged = Object.entries(b.tables).filter(([, t]) => t.inserted || t.updated || t.rejected);
        if (notUnchanged.length)
          throw new Error(`the re-run changed rows: ${JSON.stringify(Object.fromEntries(notUnchanged))}`);
        rerun.push(b);
        console.log(
          `rep ${rep} ours, re-run (all unchanged): ${sec(b.wallMs).toFixed(1)} s, peak ${mb(b.peakKb).toFixed(0)} MB; steps ${stepsLine(b)}`,
        );
      });

      if (tuned) {
        await withFreshServer(`cutover_tuned_${rep}`, async (common) => {
          const t = await runOurs({ ...common, ...tuned, label: `bench-tuned-${rep}` });
          await checkStored(common.scratchUrl, "tuned");
          tunedRuns.push(t);
          console.log(
            `rep ${rep} ours, batches of ${tuned.batch}, ${tuned.inFlight} in flight, empty server: ${sec(t.wallMs).toFixed(1)} s, peak ${mb(t.peakKb).toFixed(0)} MB; steps ${stepsLine(t)}`,
          );
        });
      }

      if (pgloader) {
        const c = await runPgloader(pgloader, file, pgServer.adminUrl, rep, expected);
        loader.push(c);
        console.log(
          `rep ${rep} pgloader: ${sec(c.wallMs).toFixed(1)} s, peak ${mb(c.peakKb).toFixed(0)} MB (${c.processes} process${c.processes === 1 ? "" : "es"})`,
        );
      }
    }
  } finally {
    await pgServer.stop();
    rmSync(dir, { recursive: true, force: true });
  }

  printCutoverReport({ first, rerun, tunedRuns, loader, tuned });
}

if (isEntry(import.meta.url)) {
  await main().catch((error: unknown) => {
    console.error(`bench:cutover failed: ${(error as Error).stack ?? String(error)}`);
    process.exit(1);
  });
}
