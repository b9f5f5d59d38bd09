// npm run bench:ingest [-- --posts N --batch B --reps R --naive N]
// Pushes N posts through the real HTTP + tRPC path (a production `next
// start`), next to the raw set-based upsert of the same rows straight into
// PostgreSQL (the practical limit) and a per-row Prisma upsert loop (what a
// naive integration does). Prints posts/s and the ratio ours ÷ raw.
import { createTRPCClient, httpLink } from "@trpc/client";
import pg from "pg";
import superjson from "superjson";
import type { AppRouter } from "../src/server/api/root";
import { createApiKey } from "../src/server/auth/api-keys";
import { createDb } from "../src/server/db";
import { toRecordsetJson, upsertSql } from "../src/server/ingest/upsert-sql";
import { postItemSchema, type PostItem } from "../src/shared/schemas/items";
import { buildPost } from "../src/server/seed/builders";
import { createRandom } from "../src/server/seed/random";
import { intArg, median, printTable, scratchDatabase, startAppServer, summarise } from "./support";

const N = intArg("posts", 20_000);
const BATCH = intArg("batch", 1_000);
const REPS = intArg("reps", 3);
const NAIVE = intArg("naive", 2_000);
const IN_FLIGHT = intArg("in-flight", 2);

function realisticPosts(count: number, seed: number): PostItem[] {
  const r = createRandom(seed);
  const at = Date.parse("2026-11-20T00:00:00Z");
  return Array.from({ length: count }, (_, i) => {
    const post = buildPost(r, { statusId: String(1_900_000_000_000_000_000n + BigInt(i)), handle: "marketpulse", createdAt: at + i * 1000, collectedAt: at + i * 1000 + 5000, mode: "discovery", runId: null });
    const target = r.int(100, 4000);
    let body = post.body;
    while (body.length < target) body += ` ${post.body}`;
    body = body.slice(0, target);
    const raw = JSON.parse(post.raw_json!) as Record<string, unknown>;
    return { ...post, body, raw_json: JSON.stringify({ ...raw, text: body }) };
  });
}

function chunks<T>(items: T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

async function truncate(url: string) {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  await c.query("truncate posts, ingest_batches, ingest_rejects, collector_health");
  await c.end();
}

async function main() {
  const posts = realisticPosts(N, 42);
  const bytes = Buffer.byteLength(JSON.stringify(posts));
  console.log(`bench:ingest: ${N.toLocaleString("en-US")} posts (${(bytes / 1e6).toFixed(1)} MB as JSON), batches of ${BATCH}, ${IN_FLIGHT} in flight, ${REPS} repetitions`);
  const scratch = await scratchDatabase("ingest");
  const db = createDb(scratch.url, { max: 4 });
  const { key } = await createApiKey(db, { name: "bench", role: "ingest" });
  const app = await startAppServer({ databaseUrl: scratch.url, env: { RATE_LIMIT_PER_MINUTE: "1000000", INGEST_MAX_BODY_BYTES: String(64 * 1024 * 1024) } });
  const client = createTRPCClient<AppRouter>({
    links: [httpLink({ url: `${app.baseUrl}/api/trpc`, transformer: superjson, headers: { authorization: `Bearer ${key}` } })],
  });
  const ours: number[] = [];
  const raw: number[] = [];
  const naive: number[] = [];
  try {
    for (let rep = 1; rep <= REPS; rep++) {
      await truncate(scratch.url);
      let started = performance.now();
      let inserted = 0;
      // Up to IN_FLIGHT batches at once, as the collector's client sends them.
      const queue = [...chunks(posts, BATCH).entries()];
      await Promise.all(
        Array.from({ length: IN_FLIGHT }, async () => {
          for (let next = queue.shift(); next; next = queue.shift()) {
            const [i, batch] = next;
            const result = await client.ingest.push.mutate({ idempotencyKey: `bench-${rep}-${i}`, collector: "bench", mode: "discovery", posts: batch });
            inserted += result.tables.posts.inserted;
          }
        }),
      );
      if (inserted !== N) throw new Error(`expected ${N} inserted, got ${inserted}`);
      ours.push(N / ((performance.now() - started) / 1000));

      // The same rows, validated the same way, through the same statement, with no HTTP or tRPC.
      await truncate(scratch.url);
      const pgc = new pg.Client({ connectionString: scratch.url });
      await pgc.connect();
      started = performance.now();
      for (const batch of chunks(posts, BATCH)) {
        const rows = batch.map((p) => postItemSchema.parse(p));
        await pgc.query("begin");
        await pgc.query(upsertSql.posts, [toRecordsetJson("posts", rows)]);
        await pgc.query("commit");
      }
      raw.push(N / ((performance.now() - started) / 1000));
      await pgc.end();

      // Per-row Prisma upserts on a subset (it is far too slow for all rows).
      await truncate(scratch.url);
      const subset = posts.slice(0, NAIVE);
      started = performance.now();
      for (const p of subset) {
        const data = {
          authorHandle: p.author_handle, authorId: p.author_id ?? null, body: p.body, lang: p.lang ?? null, url: p.url ?? null,
          createdAt: new Date(p.created_at), collectedAt: new Date(p.collected_at), mode: p.mode, runId: p.run_id ?? null,
          likeCount: p.like_count ?? null, repostCount: p.repost_count ?? null, replyCount: p.reply_count ?? null, quoteCount: p.quote_count ?? null,
          viewCount: p.view_count == null ? null : BigInt(p.view_count), isReply: p.is_reply === 1 || p.is_reply === true, isRepost: p.is_repost === 1 || p.is_repost === true,
          conversationId: p.conversation_id ?? null, score: p.score ?? null, rawJson: p.raw_json ?? null, sourceUpdatedAt: new Date(p.updated_at),
        };
        await db.post.upsert({ where: { statusId: p.status_id }, create: { statusId: p.status_id, ...data }, update: data });
      }
      naive.push(NAIVE / ((performance.now() - started) / 1000));
      console.log(`  rep ${rep}: ours ${ours.at(-1)!.toFixed(0)} posts/s, raw ${raw.at(-1)!.toFixed(0)} posts/s, per-row ${naive.at(-1)!.toFixed(0)} posts/s`);
    }
  } finally {
    await app.stop();
    await db.$disconnect();
    await scratch.drop();
  }
  const rawMedian = median(raw);
  console.log("");
  printTable(
    ["path", "posts/s median (min–max)", "ratio ÷ raw upsert"],
    [
      [`ours: HTTP + tRPC + ingest service, ${IN_FLIGHT} in flight`, summarise(ours), (median(ours) / rawMedian).toFixed(2)],
      ["raw set-based upsert (pg, same SQL)", summarise(raw), "1.00"],
      [`per-row Prisma upsert (${NAIVE} rows)`, summarise(naive), (median(naive) / rawMedian).toFixed(2)],
    ],
  );
  console.log(`\ntarget: ours ≥ 0.6 × raw → ${median(ours) / rawMedian >= 0.6 ? "met" : "MISSED"} (${(median(ours) / rawMedian).toFixed(2)})`);
}

main().catch((error: unknown) => {
  console.error(`bench:ingest failed: ${(error as Error).stack ?? String(error)}`);
  process.exit(1);
});
