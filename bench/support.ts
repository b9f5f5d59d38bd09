// Shared pieces of the benchmark scripts: a scratch database on the test
// PostgreSQL, the production app served on a free port, timing and tables.
import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { withDatabase } from "../src/server/db-connection";
import { startTestServer, withAdminClient, type TestServer } from "../test/support/test-server";
import { buildPost } from "../src/server/seed/builders";
import type { randomFromState } from "../src/shared/random";
export { freePort, startAppServer } from "../test/support/app-server";

export async function scratchDatabase(
  label: string,
): Promise<{ url: string; server: TestServer; drop: () => Promise<void> }> {
  const server = await startTestServer();
  const name = `xm_bench_${label}_${process.pid}`;
  await withAdminClient(server.adminUrl, async (c) => {
    await c.query(`drop database if exists "${name}" with (force)`);
    await c.query(`create database "${name}" template "${server.templateDatabase}"`);
  });
  return {
    url: withDatabase(server.adminUrl, name),
    server,
    drop: async () => {
      await withAdminClient(server.adminUrl, (c) => c.query(`drop database if exists "${name}" with (force)`));
      await server.stop();
    },
  };
}

export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/** Median and the spread (min–max) of repeated measurements. */
export function summarise(values: number[], digits = 0): string {
  const f = (v: number) => v.toLocaleString("en-US", { maximumFractionDigits: digits, minimumFractionDigits: digits });
  return `${f(median(values))} (${f(Math.min(...values))}–${f(Math.max(...values))})`;
}

export function printTable(headers: string[], rows: (string | number)[][]): void {
  const cells = [headers, ...rows.map((r) => r.map(String))];
  const widths = headers.map((_, i) => Math.max(...cells.map((r) => r[i]!.length)));
  const line = (r: string[]) => `| ${r.map((c, i) => c.padEnd(widths[i]!)).join(" | ")} |`;
  console.log(line(headers));
  console.log(`|${widths.map((w) => "-".repeat(w + 2)).join("|")}|`);
  for (const r of cells.slice(1)) console.log(line(r));
}

export function intArg(name: string, fallback: number, argv: readonly string[] = process.argv): number {
  const i = argv.indexOf(`--${name}`);
  return i >= 0 ? Number(argv[i + 1]) : fallback;
}

export function flagArg(name: string, argv: readonly string[] = process.argv): boolean {
  return argv.includes(`--${name}`);
}

/** p-th percentile (0–100) by the nearest-rank method. */
export function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;
}

/** Whether this module is the script node was started with (so a runner may import it and call main() instead). */
export function isEntry(moduleUrl: string): boolean {
  const script = process.argv[1];
  if (!script) return false;
  return (
    path.resolve(script) === fileURLToPath(moduleUrl) ||
    path.resolve(script).replace(/\.ts$/, "") === fileURLToPath(moduleUrl).replace(/\.ts$/, "")
  );
}

export const CLK_TCK = Number(spawnSync("getconf", ["CLK_TCK"], { encoding: "utf8" }).stdout.trim()) || 100;

/** CPU time (user + system) a process has used so far, in ms; 0 where /proc is not available or the process is gone. */
export function processCpuMs(pid: number | undefined): number {
  if (!pid) return 0;
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    // After the command name (which may hold spaces and parentheses): utime and stime are the 12th and 13th fields.
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / CLK_TCK;
  } catch {
    return 0;
  }
}

/**
 * A post of realistic size for the ingest benchmarks: a 100–4,000 character
 * body, the raw JSON carrying the body again, one second apart from `i`.
 */
export function realisticPost(r: ReturnType<typeof randomFromState>, i: number, firstId: bigint) {
  const at = Date.parse("2026-11-20T00:00:00Z");
  const post = buildPost(r, {
    statusId: String(firstId + BigInt(i)),
    handle: "marketpulse",
    createdAt: at + i * 1000,
    collectedAt: at + i * 1000 + 5000,
    mode: "discovery",
    runId: null,
  });
  const target = r.int(100, 4000);
  let body = post.body;
  while (body.length < target) body += ` ${post.body}`;
  body = body.slice(0, target);
  const raw = JSON.parse(post.raw_json!) as Record<string, unknown>;
  return { ...post, body, raw_json: JSON.stringify({ ...raw, text: body }) };
}
