// node --expose-gc [heap flags] --import tsx bench/bulk-chunk-cpu.ts <materialised|streamed> [--posts N] [--embeddings N]
//
// The app's own work on a cutover's bulk chunks without HTTP or PostgreSQL:
// each chunk's NDJSON validated and encoded as binary COPY rows, four chunks
// held at a time as the app holds them while their transactions run. Either
// the way the bulk path did it before (the whole chunk as text, lines,
// parsed items and validated rows, then the COPY buffers) or line by line
// (bulk-lines.ts). Prints the process's CPU (user + sys), the time in
// garbage collection, and its peak RSS and heap; run each way in its own
// process, with and without heap flags, to compare.
import { PerformanceObserver } from "node:perf_hooks";
import { buildEmbedding } from "../src/server/seed/builders";
import { randomFromState } from "../src/shared/random";
import { syncTables, syncTableNames, type SyncTable } from "../src/shared/schemas/tables";
import { stageBulkLines } from "../src/server/ingest/bulk-lines";
import { binaryCopyChunks } from "../src/server/ingest/copy-staging";
import { upsertColumnsOf } from "../src/server/ingest/upsert-sql";
import { validateBatchItems } from "../src/server/ingest/validate-items";
import { makePosts } from "../test/support/fixtures";
import { intArg } from "./support";

const IN_FLIGHT = 4;
const POST_CHUNK_ROWS = 2_000;
const EMBEDDING_CHUNK_ROWS = 1_000;

function chunksOf(lines: string[], rows: number): Buffer[] {
  const out: Buffer[] = [];
  for (let at = 0; at < lines.length; at += rows) out.push(Buffer.from(lines.slice(at, at + rows).join("")));
  return out;
}

function makeChunks(posts: number, embeddings: number): { table: SyncTable; body: Buffer }[] {
  const now = Date.parse("2026-11-20T10:00:00Z");
  const postItems = makePosts(posts, { seed: 7, at: now });
  const r = randomFromState(9);
  const embeddingLines = postItems.slice(0, embeddings).map((post) => {
    const e = buildEmbedding(r, post, 384);
    const bytes = Buffer.from(new Float32Array(e.vector as number[]).buffer);
    return `${JSON.stringify({ ...e, vector: bytes.toString("base64") })}\n`;
  });
  const postLines = postItems.map((p) => `${JSON.stringify(p)}\n`);
  const posted = chunksOf(postLines, POST_CHUNK_ROWS).map((body) => ({ table: "posts" as const, body }));
  const embedded = chunksOf(embeddingLines, EMBEDDING_CHUNK_ROWS).map((body) => ({
    table: "embeddings" as const,
    body,
  }));
  // Interleaved, as two tables at a time arrive.
  const all: { table: SyncTable; body: Buffer }[] = [];
  for (let i = 0; i < Math.max(posted.length, embedded.length); i++) {
    if (posted[i]) all.push(posted[i]!);
    if (embedded[i]) all.push(embedded[i]!);
  }
  return all;
}

const clock = { now: Date.parse("2026-11-21T00:00:00Z"), maxFutureSkewMs: 300_000 };
const empty = () => Object.fromEntries(syncTableNames.map((t) => [t, [] as unknown[]])) as Record<SyncTable, unknown[]>;

/** The bulk path before bulk-lines.ts: every stage of the chunk materialised. */
function materialised(table: SyncTable, body: Buffer): unknown {
  const text = body.toString("utf8");
  const lines = text.split("\n");
  if (lines.at(-1) === "") lines.pop();
  const items = lines.map((line) => {
    try {
      return JSON.parse(line) as unknown;
    } catch {
      return line.slice(0, 200);
    }
  });
  const validated = validateBatchItems({ ...empty(), [table]: items }, "admin", { collector: "bench", clock });
  const copy = [...binaryCopyChunks(upsertColumnsOf(syncTables[table]), validated.rows[table])];
  return { items, validated, copy };
}

function streamed(table: SyncTable, body: Buffer): unknown {
  return stageBulkLines(body, table, "admin", { collector: "bench", clock });
}

async function main(): Promise<void> {
  const way = process.argv[2];
  if (way !== "materialised" && way !== "streamed") throw new Error("say materialised or streamed");
  const posts = intArg("--posts", 200_000);
  const embeddings = intArg("--embeddings", 50_000);
  const chunks = makeChunks(posts, embeddings);
  global.gc?.();
  const rssBefore = process.memoryUsage().rss;
  let gcMs = 0;
  const observer = new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) gcMs += entry.duration;
  });
  observer.observe({ entryTypes: ["gc"] });
  const work = way === "materialised" ? materialised : streamed;
  const held: unknown[] = [];
  let peakHeap = 0;
  let peakRss = 0;
  const cpuBefore = process.cpuUsage();
  for (const { table, body } of chunks) {
    held.push(work(table, body));
    if (held.length > IN_FLIGHT) held.shift();
    const memory = process.memoryUsage();
    peakHeap = Math.max(peakHeap, memory.heapTotal);
    peakRss = Math.max(peakRss, memory.rss);
    // Let the GC observer's callbacks run, as the app's event loop would between chunks.
    await new Promise((resolve) => setImmediate(resolve));
  }
  const cpu = process.cpuUsage(cpuBefore);
  observer.disconnect();
  console.log(
    JSON.stringify({
      way,
      flags: process.execArgv.filter((a) => a.startsWith("--max")).join(" ") || "default",
      chunks: chunks.length,
      cpuS: +((cpu.user + cpu.system) / 1e6).toFixed(2),
      gcS: +(gcMs / 1000).toFixed(2),
      rssGrowthMb: Math.round((peakRss - rssBefore) / 1024 / 1024),
      peakHeapMb: Math.round(peakHeap / 1024 / 1024),
    }),
  );
}

void main();
