// npm run bench:ingest [-- --posts N --batch B --reps R --naive N --in-flight K --embeddings-posts M --quick]
//                      [-- --number-vectors]   (vectors as number arrays, as collectors before decisions/018 sent them)
// Pushes N posts through the real path: the collector's ingest client →
// HTTP → tRPC → the ingest service on a production `next start`. Next to it,
// the practical limit: the same rows, validated with the same schema, sent
// through the same set-based upsert statement straight into PostgreSQL with
// the same number of batches in flight; and a per-row Prisma upsert loop
// (what a naive integration does). Then the same with a 384-dim embedding
// per post, its vector as the collector sends it (base64 of the float32
// bytes). Prints rows/s and the ratio ours ÷ raw.
import pg from "pg";
import { createTrpcCalls } from "../src/collector/uplink/server-calls";
import { createApiKey } from "../src/server/auth/api-keys";
import { closeDb, createDb, type Db } from "../src/server/db";
import { toRecordsetJson, upsertSql } from "../src/server/ingest/upsert-sql";
import { buildEmbedding } from "../src/server/seed/builders";
import { randomFromState } from "../src/shared/random";
import { embeddingItemSchema, postItemSchema, type EmbeddingItem, type PostItem } from "../src/shared/schemas/items";
import { vectorToBase64 } from "../src/shared/schemas/vector";
import {
  flagArg,
  intArg,
  median,
  printTable,
  realisticPost,
  scratchDatabase,
  startAppServer,
  summarise,
} from "./support";

const QUICK = flagArg("quick");
const N = intArg("posts", QUICK ? 4_000 : 200_000);
const N_EMBEDDED = intArg("embeddings-posts", QUICK ? 2_000 : 50_000);
const BATCH = intArg("batch", 1_000);
const REPS = intArg("reps", QUICK ? 1 : 3);
const NAIVE = intArg("naive", QUICK ? 300 : 2_000);
const IN_FLIGHT = intArg("in-flight", 2);
const DIMS = 384;
const NUMBER_VECTORS = flagArg("number-vectors");

type Batch = { posts: PostItem[]; embeddings: EmbeddingItem[] };

function realisticBatches(count: number, options: { seed: number; embeddings: boolean }): Batch[] {
  const r = randomFromState(options.seed);
  const batches: Batch[] = [];
  for (let start = 0; start < count; start += BATCH) {
    const posts: PostItem[] = [];
    const embeddings: EmbeddingItem[] = [];
    for (let i = start; i < Math.min(count, start + BATCH); i++) {
      const sized = realisticPost(r, i, 1_900_000_000_000_000_000n);
      posts.push(sized);
      if (options.embeddings) {
        const embedding = buildEmbedding(r, sized, DIMS);
        const bytes = Float32Array.from(embedding.vector as number[]);
        embeddings.push(NUMBER_VECTORS ? embedding : { ...embedding, vector: vectorToBase64(bytes) });
      }
    }
    batches.push({ posts, embeddings });
  }
  return batches;
}

/** Runs `work` over the batches with `inFlight` of them at once; returns rows per second. */
async function timed(
  batches: Batch[],
  inFlight: number,
  work: (batch: Batch, index: number) => Promise<void>,
): Promise<number> {
  const rows = batches.reduce((n, b) => n + b.posts.length + b.embeddings.length, 0);
  const queue = [...batches.entries()];
  const started = performance.now();
  await Promise.all(
    Array.from({ length: inFlight }, async () => {
      for (let next = queue.shift(); next; next = queue.shift()) await work(next[1], next[0]);
    }),
  );
  return rows / ((performance.now() - started) / 1000);
}

async function truncate(url: string) {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  await c.query("truncate posts, embeddings, ingest_batches, ingest_rejects, collector_health");
  await c.end();
}

async function perRowUpserts(db: Db, posts: PostItem[]): Promise<number> {
  const started = performance.now();
  for (const p of posts) {
    const data = {
      authorHandle: p.author_handle,
      authorId: p.author_id ?? null,
      body: p.body,
      lang: p.lang ?? null,
      url: p.url ?? null,
      createdAt: new Date(p.created_at),
      collectedAt: new Date(p.collected_at),
      mode: p.mode,
      runId: p.run_id ?? null,
      likeCount: p.like_count ?? null,
      repostCount: p.repost_count ?? null,
      replyCount: p.reply_count ?? null,
      quoteCount: p.quote_count ?? null,
      viewCount: p.view_count == null ? null : BigInt(p.view_count),
      isReply: p.is_reply === 1 || p.is_reply === true,
      isRepost: p.is_repost === 1 || p.is_repost === true,
      conversationId: p.conversation_id ?? null,
      score: p.score ?? null,
      rawJson: p.raw_json ?? null,
      sourceUpdatedAt: new Date(p.updated_at),
    };
    await db.post.upsert({
      where: { statusId: p.status_id },
      create: { statusId: p.status_id, ...data },
      update: data,
    });
  }
  return posts.length / ((performance.now() - started) / 1000);
}

async function main() {
  const benchStarted = performance.now();
  const plain = realisticBatches(N, { seed: 42, embeddings: false });
  const embedded = realisticBatches(N_EMBEDDED, { seed: 43, embeddings: true });
  const mb = (batches: Batch[]) =>
    (batches.reduce((n, b) => n + Buffer.byteLength(JSON.stringify(b)), 0) / 1e6).toFixed(0);
  console.log(
    `bench:ingest: ${N.toLocaleString("en-US")} posts (${mb(plain)} MB as JSON) and ${N_EMBEDDED.toLocaleString("en-US")} posts with ${DIMS}-dim embeddings (${mb(embedded)} MB, vectors as ${NUMBER_VECTORS ? "numbers" : "base64"}); batches of ${BATCH}, ${IN_FLIGHT} in flight, ${REPS} repetitions`,
  );
  const scratch = await scratchDatabase("ingest");
  const db = createDb(scratch.url, { max: 4 });
  // Admin: the ingest role may not write embeddings (decisions/003).
  const { key } = await createApiKey(db, { name: "bench", role: "admin" });
  const app = await startAppServer({
    databaseUrl: scratch.url,
    env: { RATE_LIMIT_PER_MINUTE: "1000000", INGEST_MAX_BODY_BYTES: String(64 * 1024 * 1024) },
  });
  const api = createTrpcCalls({ baseUrl: app.baseUrl, apiKey: key });
  const pool = new pg.Pool({ connectionString: scratch.url, max: IN_FLIGHT });
  const figures = {
    ours: [] as number[],
    raw: [] as number[],
    oursEmbedded: [] as number[],
    rawEmbedded: [] as number[],
    naive: [] as number[],
  };

  const pushOurs = (label: string) => async (batch: Batch, i: number) => {
    const result = await api.push({
      idempotencyKey: `${label}-${i}`,
      collector: "bench",
      mode: "discovery",
      posts: batch.posts,
      embeddings: batch.embeddings,
    });
    const written = result.tables.posts.inserted + result.tables.embeddings.inserted;
    if (written !== batch.posts.length + batch.embeddings.length || result.rejects.length > 0)
      throw new Error(`batch ${i}: expected every row inserted, got ${JSON.stringify(result.tables)}`);
  };
  // The same rows, validated with the same schemas, through the same statements in one transaction, no HTTP or tRPC.
  const pushRaw = async (batch: Batch) => {
    const client = await pool.connect();
    try {
      await client.query("begin");
      await client.query(upsertSql.posts, [toRecordsetJson(batch.posts.map((p) => postItemSchema.parse(p)))]);
      if (batch.embeddings.length)
        await client.query(upsertSql.embeddings, [
          toRecordsetJson(batch.embeddings.map((e) => embeddingItemSchema.parse(e))),
        ]);
      await client.query("commit");
    } finally {
      client.release();
    }
  };

  try {
    for (let rep = 1; rep <= REPS; rep++) {
      await truncate(scratch.url);
      figures.ours.push(await timed(plain, IN_FLIGHT, pushOurs(`plain-${rep}`)));
      await truncate(scratch.url);
      figures.raw.push(await timed(plain, IN_FLIGHT, pushRaw));
      await truncate(scratch.url);
      figures.oursEmbedded.push(await timed(embedded, IN_FLIGHT, pushOurs(`embedded-${rep}`)));
      await truncate(scratch.url);
      figures.rawEmbedded.push(await timed(embedded, IN_FLIGHT, pushRaw));
      await truncate(scratch.url);
      figures.naive.push(await perRowUpserts(db, plain.flatMap((b) => b.posts).slice(0, NAIVE)));
      const f = (v: number[]) => v.at(-1)!.toFixed(0);
      console.log(
        `  rep ${rep}: posts ours ${f(figures.ours)}/s raw ${f(figures.raw)}/s; with embeddings ours ${f(figures.oursEmbedded)}/s raw ${f(figures.rawEmbedded)}/s; per-row ${f(figures.naive)}/s`,
      );
    }
  } finally {
    await pool.end();
    await app.stop();
    await closeDb(db);
    await scratch.drop();
  }
  const ratio = (a: number[], b: number[]) => (median(a) / median(b)).toFixed(2);
  console.log("");
  printTable(
    ["path", "rows/s median (min–max)", "ratio ÷ raw upsert"],
    [
      [
        `posts: ours (collector client → HTTP → tRPC → ingest service), ${IN_FLIGHT} in flight`,
        summarise(figures.ours),
        ratio(figures.ours, figures.raw),
      ],
      [`posts: raw set-based upsert (pg, same SQL), ${IN_FLIGHT} in flight`, summarise(figures.raw), "1.00"],
      [
        `posts: per-row Prisma upsert loop (${NAIVE} rows)`,
        summarise(figures.naive),
        ratio(figures.naive, figures.raw),
      ],
      [
        `posts + ${DIMS}-dim embeddings: ours`,
        summarise(figures.oursEmbedded),
        ratio(figures.oursEmbedded, figures.rawEmbedded),
      ],
      [`posts + ${DIMS}-dim embeddings: raw`, summarise(figures.rawEmbedded), "1.00"],
    ],
  );
  const posts = median(figures.ours) / median(figures.raw);
  const withEmbeddings = median(figures.oursEmbedded) / median(figures.rawEmbedded);
  console.log(
    `\ntarget: ours ≥ 0.6 × raw → posts ${posts >= 0.6 ? "met" : "MISSED"} (${posts.toFixed(2)}), with embeddings ${withEmbeddings >= 0.6 ? "met" : "MISSED"} (${withEmbeddings.toFixed(2)})`,
  );
  console.log(`bench:ingest took ${((performance.now() - benchStarted) / 1000).toFixed(0)} s`);
}

main().catch((error: unknown) => {
  console.error(`bench:ingest failed: ${(error as Error).stack ?? String(error)}`);
  process.exit(1);
});
