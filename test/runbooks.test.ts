// The operators' runbooks (docs/runbooks/*.md) run as written, block by
// block, through the collector's executable against the real app over a real
// PostgreSQL: cutover.md on a legacy file with the seed report's counts,
// outage-recovery.md after a real outage, daily-reconcile.md after a row
// went missing on the server. Each block's exit code and the output lines the
// runbook shows are checked by test/support/runbook.ts; the report's figures
// are checked here once more, so editing a runbook cannot weaken them.
import { spawnSync } from "node:child_process";
import { chmodSync, mkdirSync, readdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { projectRoot } from "../scripts/lib/project-root";
import { createTrpcCalls } from "../src/collector/uplink/server-calls";
import { preloadServer, startCutoverWorld, type CutoverWorld } from "./support/cutover-world";
import { runRunbook, type BlockRun } from "./support/runbook";

const SMOKE_RUN = "5e0e0000-0000-4000-8000-000000000226";
const runbook = (name: string) => path.join(projectRoot, "docs", "runbooks", name);

let world: CutoverWorld;
let env: Record<string, string>;

function writeKey(file: string, key: string) {
  writeFileSync(file, `${key}\n`, { mode: 0o600 });
  chmodSync(file, 0o600);
  return file;
}

beforeAll(async () => {
  world = await startCutoverWorld();
  // The server as the report found it: part of the data in an older version, and the ingest auth smoke test's row.
  await preloadServer(world, createTrpcCalls({ baseUrl: world.app.baseUrl, apiKey: world.adminKey }), {
    run_id: SMOKE_RUN,
    mode: "manual",
    run_at: "2026-02-26T00:00:00Z",
    status: "success",
    updated_at: "2026-02-26T00:00:00Z",
  });
  const bin = path.join(world.dir, "bin");
  const keys = path.join(world.dir, "keys");
  mkdirSync(bin);
  mkdirSync(keys, { mode: 0o700 });
  // `collector` as the runbooks' preconditions set it up: this checkout's executable.
  writeFileSync(
    path.join(bin, "collector"),
    `#!/bin/sh\nexec "${process.execPath}" "${path.join(projectRoot, "bin", "xmonitor-collector.js")}" "$@"\n`,
    { mode: 0o755 },
  );
  env = {
    PATH: `${bin}:${path.dirname(process.execPath)}:${process.env.PATH ?? ""}`,
    HOME: world.dir,
    LANG: "C.UTF-8",
    XMONITOR_HOME: world.dir,
    XMONITOR_API_BASE_URL: world.app.baseUrl,
    XMONITOR_API_KEY_FILE: writeKey(path.join(keys, "ingest.key"), world.ingestKey),
    ADMIN_KEY_FILE: writeKey(path.join(keys, "admin.key"), world.adminKey),
    XMONITOR_COLLECTOR_NAME: "legacy-box",
  };
}, 600_000);

afterAll(async () => {
  await world?.stop();
});

const outputOf = (runs: BlockRun[], id: string) => runs.find((r) => r.id === id)?.output ?? "";
const linesOf = (runs: BlockRun[], id: string) => outputOf(runs, id).split("\n");
const debug = (runs: BlockRun[]) => {
  if (process.env.RUNBOOK_DEBUG) for (const r of runs) console.log(`==== ${r.id} (${r.exitCode})\n${r.output}`);
};

/** The collector's executable with the runbooks' environment (what happened before the operator came). */
function collector(args: string[], overrides: Record<string, string> = {}) {
  const result = spawnSync(process.execPath, [path.join(projectRoot, "bin", "xmonitor-collector.js"), ...args], {
    cwd: world.dir,
    env: { ...env, ...overrides } as NodeJS.ProcessEnv,
    encoding: "utf8",
  });
  return { status: result.status, output: `${result.stdout}${result.stderr}` };
}

describe("docs/runbooks, run as written", () => {
  it("cutover.md reproduces the seed report's figures", async () => {
    const { runs, captured } = await runRunbook(runbook("cutover.md"), { env, cwd: world.dir });
    debug(runs);
    // Pass 1 (ingest key): 749 rejects, the accounts and embeddings it may not write.
    expect(linesOf(runs, "import-pass-1")).toEqual(
      expect.arrayContaining([
        "import watch_accounts: inserted=0 updated=0 unchanged=0 rejected=44",
        "import embeddings: inserted=0 updated=0 unchanged=0 rejected=705",
      ]),
    );
    expect(outputOf(runs, "import-pass-1")).toMatch(/^import ok pass 1: 749 rows rejected, all in /m);
    // Pass 2 (admin key): 0 rejects; accounts 43 + 1, embeddings 576 + 129.
    expect(linesOf(runs, "import-pass-2")).toEqual(
      expect.arrayContaining([
        "import watch_accounts: inserted=1 updated=43 unchanged=0 rejected=0",
        "import embeddings: inserted=129 updated=576 unchanged=0 rejected=0",
        // Pass 1's posts are on the server as they are: their one chunk is not sent again.
        "import ok pass 2: 0 rows rejected; 1 chunk the server already held as it is was not sent",
      ]),
    );
    // runs +1 from the smoke row, named, removed with our command, and gone from the server.
    expect(outputOf(runs, "validate")).toMatch(/^runs\s+460\s+461\s+\+1$/m);
    expect(captured.runId).toBe(SMOKE_RUN);
    expect(await world.t.db.pipelineRun.findFirst({ where: { runId: SMOKE_RUN } })).toBeNull();
    expect(await world.t.db.removal.count({ where: { kind: "run", key: SMOKE_RUN } })).toBe(1);
    // The post-cleanup validate: every delta 0, 50 checked, 0 missing, 0 mismatches, the 5 most recent posts match.
    const post = outputOf(runs, "validate-post-cleanup");
    for (const table of [
      "tweets",
      "reports",
      "runs",
      "watch_accounts",
      "tweet_embeddings",
      "window_summaries",
      "narrative_shifts",
    ])
      expect(post).toMatch(new RegExp(`^${table}\\s+(\\d+)\\s+\\1\\s+0$`, "m"));
    expect(post).toContain("spot check tweets: 50 checked, 0 missing, 0 mismatches");
    expect(post.match(/^recent post \d+ @\S+: author match, body match$/gm)).toHaveLength(5);
    const stamp = captured.stamp!;
    expect(
      readdirSync(world.dir)
        .filter((f) => f.includes(stamp))
        .sort(),
    ).toEqual([
      `export_cutover_${stamp}`,
      `import_rejects_cutover_${stamp}.ndjson`,
      `import_rejects_cutover_admin_${stamp}.ndjson`,
      `validate_cutover_${stamp}.json`,
      `validate_cutover_post_cleanup_${stamp}.json`,
      `x_monitor.cutover.${stamp}.db`,
    ]);
    // Canaries ok, refresh-24h among them.
    for (const mode of ["priority", "discovery", "refresh-24h"])
      expect(linesOf(runs, "restore")).toContain(`restore canary mode=${mode}: api ingest ok`);
  }, 240_000);

  it("outage-recovery.md: from the ALERT line through catch-up to reconcile PASS and the health reset", async () => {
    const down = { XMONITOR_API_BASE_URL: "http://127.0.0.1:9" };
    const missed: string[] = [];
    const { runs } = await runRunbook(runbook("outage-recovery.md"), {
      env,
      cwd: world.dir,
      before: {
        // The outage: the server unreachable for two priority runs, which collect and store new posts.
        status: async () => {
          expect(collector(["replay", "generate", "--force", "--count", "80"]).status).toBe(0);
          expect(collector(["accounts", "add", "macro_desk", "--tier", "priority"]).status).toBe(0);
          for (const n of [1, 2]) {
            const run = collector(["--max-attempts", "1", "run", "--mode", "priority"], down);
            expect(run.status, run.output).toBe(1);
            missed.push(/^run (\S+) mode=priority ok/m.exec(run.output)![1]!);
            if (n === 2) expect(run.output).toMatch(/^ALERT: ingest failures threshold reached mode=priority /m);
          }
        },
      },
    });
    debug(runs);
    expect(outputOf(runs, "reconcile")).toMatch(/^reconcile PASS$/m);
    expect(outputOf(runs, "status-after")).toMatch(/^ingest priority: ok consecutive_failures=0 /m);
    // The missed runs are on the server now (what /runs lists).
    const onServer = await world.t.db.pipelineRun.findMany({ where: { runId: { in: missed } } });
    expect(onServer.map((r) => r.runId).sort()).toEqual([...missed].sort());
  }, 120_000);

  it("scheduling.md: units for this machine, every job (refresh-24h and reconcile among them) with its log", async () => {
    const { runs, captured } = await runRunbook(runbook("scheduling.md"), { env, cwd: world.dir });
    debug(runs);
    expect(captured.home).toBe(world.dir);
    expect(readdirSync(path.join(world.dir, "units")).sort()).toEqual(
      ["discovery", "priority", "reconcile", "refresh-24h"].flatMap((j) => [
        `xmonitor-${j}.service`,
        `xmonitor-${j}.timer`,
      ]),
    );
  }, 60_000);

  it("daily-reconcile.md: a FAIL after a row went missing on the server, repaired by catch-up, then PASS", async () => {
    const { runs } = await runRunbook(runbook("daily-reconcile.md"), {
      env,
      cwd: world.dir,
      before: {
        // A post of the last day deleted on the server.
        reconcile: async () => {
          const victim = await world.t.db.post.findFirstOrThrow({
            where: { collectedAt: { gte: new Date(Date.now() - 3_600_000) } },
            orderBy: { statusId: "asc" },
          });
          await world.t.db.post.delete({ where: { statusId: victim.statusId } });
        },
      },
    });
    debug(runs);
    expect(outputOf(runs, "reconcile")).toMatch(/^tweets\s+(\d+)\s+\d+\s+\+1$/m);
    expect(outputOf(runs, "reconcile-again")).toMatch(/^reconcile PASS$/m);
  }, 120_000);
});
