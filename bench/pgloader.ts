// pgloader, the reference bench:cutover compares with: Debian's package
// (installed with apt-get when missing), copying the same legacy file into a
// fresh database with the schema it makes itself.
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { withDatabase } from "../src/server/db-connection";
import { withAdminClient } from "../test/support/test-server";
import { tableCounts } from "./cutover-server";
import { runMeasured, type MeasuredRun } from "./process-tree";

/** pgloader on PATH, or installed from Debian's packages; null (with the reason printed) when neither works. */
export function ensurePgloader(): string | null {
  const which = () => spawnSync("sh", ["-c", "command -v pgloader"], { encoding: "utf8" }).stdout.trim() || null;
  const found = which();
  if (found) return found;
  if (!existsSync("/usr/bin/apt-get")) {
    console.log("pgloader: not installed and no apt-get here: the pgloader column is skipped");
    return null;
  }
  console.log("pgloader: not installed; apt-get install -y pgloader");
  const result = spawnSync("apt-get", ["install", "-y", "--no-install-recommends", "pgloader"], {
    stdio: ["ignore", "ignore", "pipe"],
    encoding: "utf8",
    env: { ...process.env, DEBIAN_FRONTEND: "noninteractive" },
  });
  const installed = which();
  if (!installed) {
    console.log(
      `pgloader: apt-get install failed (exit ${result.status}${result.stderr ? `: ${result.stderr.trim().split("\n").slice(-2).join(" ")}` : ""}): the pgloader column is skipped`,
    );
  }
  return installed;
}

export async function runPgloader(
  pgloader: string,
  file: string,
  adminUrl: string,
  rep: number,
  expected: Record<string, number>,
): Promise<MeasuredRun> {
  const name = `xm_bench_pgloader_${rep}_${process.pid}`;
  await withAdminClient(adminUrl, async (c) => {
    await c.query(`drop database if exists "${name}" with (force)`);
    await c.query(`create database "${name}"`);
  });
  const url = withDatabase(adminUrl, name);
  try {
    const run = await runMeasured(pgloader, [file, url], { postgresCpu: true });
    if (run.exitCode !== 0)
      throw new Error(`pgloader exited with ${run.exitCode}:\n${run.stdout.slice(-3000)}\n${run.stderr.slice(-3000)}`);
    const counts = await tableCounts(url, Object.keys(expected));
    const wrong = Object.entries(expected).filter(([t, n]) => counts[t] !== n);
    if (wrong.length)
      throw new Error(
        `pgloader copied ${wrong.map(([t, n]) => `${t}=${counts[t]} (expected ${n})`).join(", ")}:\n${run.stdout.slice(-3000)}`,
      );
    return run;
  } finally {
    await withAdminClient(adminUrl, (c) => c.query(`drop database if exists "${name}" with (force)`));
  }
}
