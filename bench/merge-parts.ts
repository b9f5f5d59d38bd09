// npx tsx bench/merge-parts.ts [-- --posts N --reps R]
// Where PostgreSQL spends a bulk import of posts: N synthetic posts (a
// 192-character body and ~800 characters of raw JSON, larger than
// bench:cutover's legacy posts of ~60 and ~90) go through the bulk path's
// own statements, 2,000 rows per transaction on one connection: fill the
// staging table, the merge (stagingMergeSql), collector_pushes from staging
// (stagingPushesSql). Each variant runs on a fresh database from the
// migrated template with one part of the schema taken away, so the
// difference to "as migrated" is what that part costs per import. Nothing
// here is a target: it says which part of the schema a faster import would
// have to change. One more variant merges the same chunks over two
// connections, alternating as a table's two chunks in flight do: how much
// two merges into posts at once gain over one.
import pg from "pg";
import { stagingMergeSql } from "../src/server/ingest/upsert-sql";
import { stagingPushesSql } from "../src/server/ingest/pushes-sql";
import { median, printTable, intArg, summarise } from "./support";
import { startTestServer, withAdminClient } from "../test/support/test-server";
import { withDatabase } from "../src/server/db-connection";

const CHUNK = 2_000;

/** Schema changes per variant, run before the import; connections merging chunks at once (default 1). */
const VARIANTS: Record<string, string[] | { changes: string[]; connections: number }> = {
  "as migrated": [],
  "as migrated, 2 connections": { changes: [], connections: 2 },
  "without posts' (status_id, row_hash) index": [`drop index posts_status_id_row_hash_idx`],
  "without the generated row_hash column (and its index)": [
    `drop index posts_status_id_row_hash_idx`,
    `alter table posts drop column row_hash`,
  ],
  "without posts' ingested_at and updated_at indexes": [
    `drop index posts_ingested_at_idx`,
    `drop index posts_updated_at_idx`,
  ],
  "without posts' six secondary indexes": [
    "posts_collected_at_idx",
    "posts_created_at_idx",
    "posts_author_handle_created_at_idx",
    "posts_run_id_idx",
    "posts_ingested_at_idx",
    "posts_updated_at_idx",
  ].map((index) => `drop index ${index}`),
  "without collector_pushes' since index": [`drop index collector_pushes_collector_table_name_since_at_idx`],
};

/** The source rows, in the staging table's columns (wire names), numbered for chunking. */
const sourceSql = (posts: number) => `
create unlogged table source_posts as
select lpad((1800000000000000000 + i)::text, 19, '0') as status_id, 'user_' || (i % 5000) as author_handle,
  (100000 + i % 5000)::text as author_id, repeat(md5(i::text), 6) as body, 'en' as lang,
  'https://x.com/u/status/' || i as url, now() - make_interval(secs => i) as created_at,
  now() - make_interval(secs => i) as collected_at, case when i % 2 = 0 then 'priority' else 'discovery' end as mode,
  'run-' || (i / 40) as run_id, i % 1000 as like_count, i % 100 as repost_count, i % 50 as reply_count,
  i % 20 as quote_count, (i * 7)::bigint as view_count, false as is_reply, false as is_repost,
  null::text as conversation_id, (i % 997) / 10.0::float8 as score,
  '{"id":"' || i || '","text":"' || repeat(md5((i + 1)::text), 24) || '"}' as raw_json,
  now() - make_interval(secs => i) as updated_at, '{}'::text[] as anomalies, i as n
from generate_series(1, ${posts}) i;
create index on source_posts (n)`;

type Parts = { stage: number; merge: number; pushes: number; total: number };

/** The import's wall time, and each part's time summed over the connections. */
async function importOnce(url: string, posts: number, changes: string[], connections: number): Promise<Parts> {
  const setup = new pg.Client({ connectionString: url });
  await setup.connect();
  try {
    await setup.query(sourceSql(posts));
    for (const change of changes) await setup.query(change);
    await setup.query("checkpoint");
  } finally {
    await setup.end();
  }
  const parts: Parts = { stage: 0, merge: 0, pushes: 0, total: 0 };
  const chunks = Math.ceil(posts / CHUNK);
  const started = performance.now();
  // Connection c merges chunks c, c + connections, …: neighbouring key ranges at once, as chunks in flight are.
  await Promise.all(
    Array.from({ length: connections }, async (_, c) => {
      const client = new pg.Client({ connectionString: url });
      await client.connect();
      const timed = async (part: keyof Parts, sql: string, values: unknown[] = []) => {
        const partStarted = performance.now();
        await client.query(sql, values);
        parts[part] += performance.now() - partStarted;
      };
      try {
        for (let chunk = c; chunk < chunks; chunk += connections) {
          const first = 1 + chunk * CHUNK;
          await client.query("begin");
          await client.query(
            `create temporary table if not exists bulk_stage_posts (like source_posts) on commit drop`,
          );
          await timed("stage", `insert into bulk_stage_posts select * from source_posts where n >= $1 and n < $2`, [
            first,
            first + CHUNK,
          ]);
          await timed("merge", stagingMergeSql.posts);
          await timed("pushes", stagingPushesSql.posts!, ["bench-box", "bench-run"]);
          await client.query("commit");
        }
      } finally {
        await client.end();
      }
    }),
  );
  parts.total = performance.now() - started;
  return parts;
}

async function main(): Promise<void> {
  const posts = intArg("posts", 200_000);
  const reps = intArg("reps", 2);
  console.log(`bench:merge-parts: ${posts.toLocaleString("en")} posts, ${CHUNK} per transaction, ${reps} repetitions`);
  const server = await startTestServer();
  const results: Record<string, Parts[]> = {};
  try {
    for (let rep = 1; rep <= reps; rep++) {
      for (const [variant, spec] of Object.entries(VARIANTS)) {
        const { changes, connections } = Array.isArray(spec) ? { changes: spec, connections: 1 } : spec;
        const name = `xm_bench_merge_parts_${process.pid}`;
        await withAdminClient(server.adminUrl, async (c) => {
          await c.query(`drop database if exists "${name}" with (force)`);
          await c.query(`create database "${name}" template "${server.templateDatabase}"`);
        });
        try {
          (results[variant] ??= []).push(
            await importOnce(withDatabase(server.adminUrl, name), posts, changes, connections),
          );
        } finally {
          await withAdminClient(server.adminUrl, (c) => c.query(`drop database if exists "${name}" with (force)`));
        }
      }
    }
  } finally {
    await server.stop();
  }
  const s = (values: number[]) =>
    summarise(
      values.map((v) => v / 1000),
      2,
    );
  const base = median(results["as migrated"]!.map((p) => p.total));
  printTable(
    ["schema", "staging s", "merge s", "collector_pushes s", "total s (wall)", "÷ as migrated"],
    Object.entries(results).map(([variant, parts]) => [
      variant,
      s(parts.map((p) => p.stage)),
      s(parts.map((p) => p.merge)),
      s(parts.map((p) => p.pushes)),
      s(parts.map((p) => p.total)),
      (median(parts.map((p) => p.total)) / base).toFixed(2),
    ]),
  );
}

await main().catch((error: unknown) => {
  console.error(`bench:merge-parts failed: ${(error as Error).stack ?? String(error)}`);
  process.exit(1);
});
