// Ctrl-C on `collector cutover all` with real processes: the collector's
// executable, the real app (production build) and PostgreSQL. SIGINT lands
// while the export is being written in the same pass as the import; the CLI
// finishes the chunks in flight, records them, exits 130 with one line
// saying how to resume. `cutover import` then resumes the one pass: the
// export and its manifest are complete (verifyExport passes, and the files
// are byte for byte what `cutover export` writes for the snapshot), the
// server holds exactly the snapshot's rows, and each row was merged by
// exactly one committed chunk: 0 lost, 0 duplicated.
import { spawn } from "node:child_process";
import { existsSync, readFileSync, readdirSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, expect, it } from "vitest";
import { syncTableNames, syncTables } from "~/shared/schemas/tables";
import { readCheckpoint } from "../../src/collector/cutover/import-checkpoint";
import { readManifest, verifyExport } from "../../src/collector/cutover/manifest";
import { CHECKPOINT_FILE, MANIFEST_FILE } from "../../src/collector/cutover/paths";
import type { CutoverState } from "../../src/collector/cutover/session";
import { projectRoot } from "../../scripts/lib/project-root";
import type { AppServer } from "../support/app-server";
import { startAppWorld, type AppWorld } from "../support/app-world";
import { collectorFiles } from "../support/collector-env";
import type { TestDatabase } from "../support/database";
import { buildLegacyDatabase, type LegacyCounts } from "../support/legacy-fixture";

const COUNTS: LegacyCounts = {
  tweets: 6_000,
  reports: 300,
  watchAccounts: 20,
  runs: 200,
  embeddings: 1_500,
  summaries: 5,
  shifts: 3,
};
const LABEL = "sigint-box";

let world: AppWorld;
let t: TestDatabase;
let app: AppServer;
let dir: string;
let key: string;

beforeAll(async () => {
  world = await startAppWorld({ dirPrefix: "xm-sigint-" });
  ({ t, app, dir, key } = world);
  buildLegacyDatabase(path.join(dir, "x_monitor.db"), COUNTS, { seed: 21 });
}, 300_000);

afterAll(async () => {
  await world?.stop();
});

type Run = { code: number | null; output: string };

/** The collector's executable on this scratch folder; `interruptWhen` is polled and SIGINT sent once it holds. */
function collector(args: string[], interruptWhen?: () => boolean): Promise<Run & { interrupted: boolean }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [path.join(projectRoot, "bin", "xmonitor-collector.js"), ...args], {
      env: {
        ...process.env,
        ...collectorFiles(dir),
        XMONITOR_API_BASE_URL: app.baseUrl,
        XMONITOR_API_KEY: key,
        XMONITOR_COLLECTOR_NAME: LABEL,
      },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let output = "";
    child.stdout.on("data", (b: Buffer) => (output += b.toString()));
    child.stderr.on("data", (b: Buffer) => (output += b.toString()));
    let interrupted = false;
    const poll = interruptWhen
      ? setInterval(() => {
          if (!interrupted && interruptWhen()) {
            interrupted = true;
            child.kill("SIGINT");
          }
        }, 10)
      : undefined;
    child.on("error", reject);
    child.on("exit", (code) => {
      clearInterval(poll);
      resolve({ code, output, interrupted });
    });
  });
}

const state = () => JSON.parse(readFileSync(path.join(dir, "cutover.state.json"), "utf8")) as CutoverState;

/** Rows the one pass recorded so far, all tables (0 until its checkpoint exists). */
function recordedRows(): number {
  const exportDir = existsSync(path.join(dir, "cutover.state.json")) ? state().exportDir : undefined;
  if (!exportDir || !existsSync(path.join(exportDir, CHECKPOINT_FILE))) return 0;
  try {
    const pass = readCheckpoint(path.join(exportDir, CHECKPOINT_FILE)).passes[0];
    return Object.values(pass?.tables ?? {}).reduce((sum, table) => sum + table.line, 0);
  } catch {
    return 0; // read while being replaced
  }
}

/** Rows merged by the chunks the server committed for this cutover (each chunk's inserted + updated + unchanged). */
async function committedRows(): Promise<number> {
  const chunks = await t.db.ingestBatch.aggregate({
    where: { idempotencyKey: { startsWith: `cutover:${LABEL}:` } },
    _sum: { insertedCount: true, updatedCount: true, unchangedCount: true },
  });
  return (chunks._sum.insertedCount ?? 0) + (chunks._sum.updatedCount ?? 0) + (chunks._sum.unchangedCount ?? 0);
}

it("SIGINT mid-import: the chunks in flight are recorded, exit 130, and cutover import resumes to every row once", async () => {
  const all = await collector(
    ["cutover", "all", "--label", LABEL, "--timeout", "5", "--batch-size", "50"],
    () => recordedRows() >= 500,
  );
  expect(all.interrupted, all.output).toBe(true);
  expect(all.code, all.output).toBe(130);
  const lines = all.output.trimEnd().split("\n");
  expect(lines.at(-1)).toMatch(
    /interrupted: the chunks in flight were finished and recorded in .*export_cutover_\d{8}_\d{6}; resume with "collector cutover import", then "collector cutover validate" and "collector cutover restore"$/,
  );
  const { exportDir, snapshot } = state();
  expect(existsSync(path.join(exportDir!, MANIFEST_FILE))).toBe(false);
  const stoppedAt = recordedRows();
  const total = Object.values(COUNTS).reduce((a, b) => a + b, 0);
  expect(stoppedAt).toBeGreaterThanOrEqual(500);
  expect(stoppedAt).toBeLessThan(total);
  // Every chunk the server committed is in the checkpoint: the ones in flight at SIGINT were finished and recorded.
  expect(await committedRows()).toBe(stoppedAt);

  // Nothing to dry-run until the export is finished: said so, nothing sent.
  const dryRun = await collector(["cutover", "import", "--dry-run"]);
  expect(dryRun.code, dryRun.output).toBe(1);
  expect(dryRun.output).toMatch(/did not finish: nothing to dry-run yet\. Resume it with collector cutover import/);
  expect(await committedRows()).toBe(stoppedAt);

  const resumed = await collector(["cutover", "import"]);
  expect(resumed.code, resumed.output).toBe(0);
  expect(resumed.output).toContain("(resumed from the checkpoint)");
  const manifest = readManifest(exportDir!);
  await verifyExport(exportDir!, manifest);

  // The export is the one `cutover export` writes for the same snapshot: the same files, byte for byte.
  const reference = path.join(dir, "reference-export");
  const exported = await collector(["cutover", "export", "--snapshot", snapshot!, "--out", reference]);
  expect(exported.code, exported.output).toBe(0);
  const files = (d: string) => readdirSync(d).filter((f) => f.endsWith(".jsonl"));
  expect(files(exportDir!)).toEqual(files(reference));
  for (const f of files(reference))
    expect(readFileSync(path.join(exportDir!, f)).equals(readFileSync(path.join(reference, f))), f).toBe(true);
  const { exportedAt: _a, ...ours } = manifest;
  const { exportedAt: _b, ...theirs } = readManifest(reference);
  expect(ours).toEqual(theirs);

  // The server holds the snapshot's rows, each merged by exactly one committed chunk.
  const pass = readCheckpoint(path.join(exportDir!, CHECKPOINT_FILE)).passes[0]!;
  expect(pass.complete).toBe(true);
  let rows = 0;
  for (const file of manifest.files) {
    const { server } = syncTables[file.table];
    const [stored] = await t.db.$queryRawUnsafe<{ n: number }[]>(`select count(*)::int as n from "${server}"`);
    expect(stored!.n, server).toBe(file.rows);
    const totals = pass.tables[file.table]!.totals;
    expect(totals.inserted + totals.updated + totals.unchanged, file.table).toBe(file.rows);
    expect(totals.inserted, file.table).toBe(file.rows);
    rows += file.rows;
  }
  expect(manifest.files.map((f) => f.table)).toEqual(syncTableNames);
  // Each row merged by exactly one committed chunk.
  expect(await committedRows()).toBe(rows);
}, 300_000);
