// npm run bench:lookup [-- --posts N --duration S --quick --heavy-reader]
// GET /api/v1/posts/{statusId} on a production `next start` with a million
// posts stored, driven by autocannon on loopback at increasing fixed rates
// (random existing ids), next to the same lookup with no HTTP (the service
// called in-process) as the baseline. Reports throughput and p50/p99.
// --heavy-reader: 500/s again while another reader key runs the heaviest
// calls it has (a post search that reads every body, the 15-statement
// reconcile count) as fast as the server lets it, from 16 concurrent loops.
import autocannon from "autocannon";
import superjson from "superjson";
import { createApiKey } from "../src/server/auth/api-keys";
import { closeDb, createDb } from "../src/server/db";
import { getPostByStatusId } from "../src/server/posts/post-queries";
import { fillDatabase } from "./fill";
import { processCpuMs, flagArg, intArg, printTable, scratchDatabase, startAppServer } from "./support";

const QUICK = flagArg("quick");
const POSTS = intArg("posts", QUICK ? 20_000 : 1_000_000);
const DURATION = intArg("duration", QUICK ? 3 : 10);
const RATES = QUICK ? [100, 500] : [100, 250, 500, 750, 1000];
const HEAVY_READER = flagArg("heavy-reader");
const HEAVY_LOOPS = 16;

function randomIds(count: number): string[] {
  let state = 12345;
  return Array.from({ length: count }, () => {
    state = (state * 1103515245 + 12345) % 2 ** 31;
    return String(1_900_000_000_000_000_000n + BigInt(1 + (state % POSTS)));
  });
}

async function main() {
  const scratch = await scratchDatabase("lookup");
  console.log(`bench:lookup: filling ${POSTS.toLocaleString("en-US")} posts`);
  await fillDatabase(scratch.url, { posts: POSTS, runs: Math.max(1, POSTS / 10) });
  const db = createDb(scratch.url, { max: 4 });
  const { key } = await createApiKey(db, { name: "bench", role: "reader" });
  const heavyKey = HEAVY_READER ? (await createApiKey(db, { name: "bench-heavy", role: "reader" })).key : "";
  const app = await startAppServer({
    databaseUrl: scratch.url,
    env: { RATE_LIMIT_PER_MINUTE: "10000000", CONCURRENT_REQUESTS_PER_KEY: "1000" },
  });
  const ids = randomIds(5000);
  const rows: string[][] = [];
  try {
    // Baseline: the same service call in-process, sequentially.
    const latencies: number[] = [];
    for (const id of ids.slice(0, 2000)) {
      const started = performance.now();
      await getPostByStatusId(db, id);
      latencies.push(performance.now() - started);
    }
    latencies.sort((a, b) => a - b);
    rows.push([
      "in-process service (baseline)",
      "sequential",
      `${(1000 / (latencies.reduce((a, b) => a + b, 0) / latencies.length)).toFixed(0)}`,
      latencies[Math.floor(latencies.length * 0.5)]!.toFixed(2),
      latencies[Math.floor(latencies.length * 0.99)]!.toFixed(2),
      "—",
      "—",
    ]);

    let i = 0;
    // Warm-up, not recorded: the first seconds of a fresh `next start` are JIT compilation and cold caches.
    await autocannon({
      url: app.baseUrl,
      connections: 10,
      overallRate: 300,
      duration: QUICK ? 2 : 8,
      headers: { authorization: `Bearer ${key}` },
      requests: [
        { method: "GET", setupRequest: (req) => ({ ...req, path: `/api/v1/posts/${ids[i++ % ids.length]}` }) },
      ],
    });
    const steps = RATES.map((rate) => ({ rate, heavy: false }));
    if (HEAVY_READER) steps.push({ rate: 500, heavy: true });
    for (const { rate, heavy } of steps) {
      const reader = heavy ? heavyReader(app.baseUrl, heavyKey) : null;
      const cpuBefore = processCpuMs(app.child.pid);
      const result = await autocannon({
        url: app.baseUrl,
        connections: Math.min(50, Math.max(4, rate / 20)),
        overallRate: rate,
        duration: DURATION,
        headers: { authorization: `Bearer ${key}` },
        requests: [
          { method: "GET", setupRequest: (req) => ({ ...req, path: `/api/v1/posts/${ids[i++ % ids.length]}` }) },
        ],
      });
      const heavyCalls = reader ? await reader.stop() : null;
      const errors = result.non2xx + result.errors + result.timeouts;
      const cpuPerRequest = ((processCpuMs(app.child.pid) - cpuBefore) / Math.max(1, result.requests.total)).toFixed(2);
      rows.push([
        heavy ? `HTTP GET /api/v1/posts/{id}, heavy reader running` : `HTTP GET /api/v1/posts/{id}`,
        `${rate}/s`,
        result.requests.average.toFixed(0),
        String(result.latency.p50),
        String(result.latency.p99),
        String(errors),
        cpuPerRequest,
      ]);
      console.log(
        `  ${rate}/s${heavy ? " + heavy reader" : ""}: ${result.requests.average.toFixed(0)} req/s, p50 ${result.latency.p50} ms, p99 ${result.latency.p99} ms, errors ${errors}, app CPU ${cpuPerRequest} ms/request`,
      );
      if (heavyCalls) console.log(`    heavy reader's calls by status: ${JSON.stringify(heavyCalls)}`);
    }
  } finally {
    await app.stop();
    await closeDb(db);
    await scratch.drop();
  }
  console.log("");
  printTable(["path", "offered rate", "served req/s", "p50 ms", "p99 ms", "errors", "app CPU ms/request"], rows);
  const at500 = rows.find((r) => r[1] === "500/s" && !r[0]!.includes("heavy"));
  if (at500)
    console.log(
      `\ntarget: p99 < 10 ms at 500 requests/s → ${Number(at500[4]) < 10 ? "met" : "MISSED"} (${at500[4]} ms)`,
    );
}

/**
 * One reader key calling the heaviest procedures it may, back to back from
 * HEAVY_LOOPS loops, until stopped; returns the answers by status.
 */
function heavyReader(baseUrl: string, apiKey: string) {
  const calls = [
    `posts.list?input=${encodeURIComponent(JSON.stringify(superjson.serialize({ text: "no such word anywhere" })))}`,
    `reconcile.counts?input=${encodeURIComponent(JSON.stringify(superjson.serialize({})))}`,
  ];
  const byStatus: Record<string, number> = {};
  let running = true;
  const loops = Array.from({ length: HEAVY_LOOPS }, async (_, loop) => {
    for (let n = loop; running; n++) {
      const response = await fetch(`${baseUrl}/api/trpc/${calls[n % calls.length]}`, {
        headers: { authorization: `Bearer ${apiKey}` },
      }).catch(() => null);
      const status = String(response?.status ?? "network error");
      byStatus[status] = (byStatus[status] ?? 0) + 1;
      await response?.arrayBuffer();
      // A refused call comes back at once: pause as a client honouring Retry-After briefly would, without waiting it out.
      if (response && response.status !== 200) await new Promise((r) => setTimeout(r, 50));
    }
  });
  return {
    stop: async () => {
      running = false;
      await Promise.all(loops);
      return byStatus;
    },
  };
}

main().catch((error: unknown) => {
  console.error(`bench:lookup failed: ${(error as Error).stack ?? String(error)}`);
  process.exit(1);
});
