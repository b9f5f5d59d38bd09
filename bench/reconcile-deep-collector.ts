// One collector's side of the content-reconcile benchmark, in its own
// process so its peak RSS is the collector's alone: compares its SQLite
// file's posts with the server (over HTTP to bench/reconcile-deep.ts) and
// prints one JSON line: the result, the compare's wall time and peak RSS.
import { compareTable, type DeepServer } from "../src/collector/deep/compare";
import { openStore } from "../src/collector/store/sqlite-store";

function arg(name: string): string {
  const i = process.argv.indexOf(`--${name}`);
  const value = i >= 0 ? process.argv[i + 1] : undefined;
  if (!value) throw new Error(`--${name} is required`);
  return value;
}

async function main() {
  const url = arg("url");
  const call = async <T>(path: string, input: unknown): Promise<T> => {
    const response = await fetch(`${url}${path}`, { method: "POST", body: JSON.stringify(input) });
    if (!response.ok) throw new Error(`${path} answered ${response.status}: ${await response.text()}`);
    return (await response.json()) as T;
  };
  const server: DeepServer = {
    reconcileSegments: (input) => call("/segments", input),
    reconcileRowHashes: (input) => call("/rowHashes", input),
  };
  const started = performance.now();
  const cpu = process.cpuUsage();
  const store = openStore({ path: arg("db") });
  const result = await compareTable({ store, server, table: "posts", collector: arg("collector") });
  const ms = performance.now() - started;
  const used = process.cpuUsage(cpu);
  const cpuMs = (used.user + used.system) / 1000;
  store.close();
  process.stdout.write(`${JSON.stringify({ result, ms, cpuMs, maxRssMb: process.resourceUsage().maxRSS / 1024 })}\n`);
}

main().catch((error: unknown) => {
  console.error(`reconcile-deep-collector failed: ${(error as Error).stack ?? String(error)}`);
  process.exit(1);
});
