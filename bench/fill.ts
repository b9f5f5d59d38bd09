// Bulk synthetic data for the read benchmarks, generated inside PostgreSQL
// (generate_series) so a million posts take seconds, deterministic for a
// given size. Times spread over the last 60 days before `now`.
import pg from "pg";

export type FillSizes = { posts: number; runs: number };

export async function fillDatabase(
  url: string,
  sizes: FillSizes,
  now = new Date("2026-11-28T12:00:00Z"),
): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  const span = "60 days";
  try {
    await client.query(
      `
      insert into pipeline_runs (run_id, collector, mode, run_at, finished_at, status, fetched_count, new_count, source_updated_at)
      select 'run-' || g, 'bench-' || (g % 3), case when g % 3 = 0 then 'discovery' else 'priority' end,
             $2::timestamptz - (g * (interval '${span}' / $1::int)), $2::timestamptz - (g * (interval '${span}' / $1::int)) + interval '20 seconds',
             case when g % 29 = 0 then 'failed' else 'success' end, (g % 40), (g % 9), $2::timestamptz - (g * (interval '${span}' / $1::int))
      from generate_series(1, $1::int) g`,
      [sizes.runs, now],
    );
    await client.query(
      `
      insert into posts (status_id, author_handle, author_id, body, lang, url, created_at, collected_at, mode, run_id,
                         like_count, repost_count, reply_count, quote_count, view_count, is_reply, is_repost, score, raw_json, source_updated_at)
      select (1900000000000000000 + g)::text, 'author' || (g % 500), (100000 + g % 500)::text,
             'Post ' || g || ' about ' || (array['chips','rates','policy','energy','models'])[1 + g % 5] || repeat(' lorem ipsum', 10 + g % 40),
             'en', 'https://x.com/author' || (g % 500) || '/status/' || (1900000000000000000 + g),
             $2::timestamptz - (g * (interval '${span}' / $1::int)) - interval '3 minutes',
             $2::timestamptz - (g * (interval '${span}' / $1::int)),
             case when g % 3 = 0 then 'discovery' else 'priority' end, 'run-' || (1 + g % $3::int),
             g % 5000, g % 700, g % 300, g % 90, (g % 5000) * 40, g % 7 = 0, false, (g % 1000) / 1000.0,
             '{"id":"' || (1900000000000000000 + g) || '"}', $2::timestamptz - (g * (interval '${span}' / $1::int))
      from generate_series(1, $1::int) g`,
      [sizes.posts, now, sizes.runs],
    );
    const proportional = async (table: string, count: number, sql: string) => {
      await client.query(sql.replace("$TABLE", table), [count, now]);
    };
    await proportional(
      "reports",
      Math.round(sizes.runs * 0.9),
      `
      insert into $TABLE (collector, report_id, run_id, kind, title, body_md, status_ids, created_at, source_updated_at)
      select 'bench-' || (g % 3), 'rep-' || g, 'run-' || g, 'priority-digest', 'digest ' || g, '## digest', array[(1900000000000000000 + g)::text],
             $2::timestamptz - (g * (interval '${span}' / $1::int)), $2::timestamptz - (g * (interval '${span}' / $1::int))
      from generate_series(1, $1::int) g`,
    );
    await proportional(
      "embeddings",
      Math.round(sizes.posts * 0.25),
      `
      insert into $TABLE (status_id, model, dims, vector, created_at, source_updated_at)
      select (1900000000000000000 + g)::text, 'local-d8', 8, array[0.1,0.2,0.3,0.4,0.5,0.6,0.7,0.8]::real[],
             $2::timestamptz - (g * (interval '${span}' / $1::int)), $2::timestamptz - (g * (interval '${span}' / $1::int))
      from generate_series(1, $1::int) g`,
    );
    await proportional(
      "watch_accounts",
      500,
      `
      insert into $TABLE (collector, handle, user_id, tier, active, added_at, source_updated_at)
      select 'bench-' || (g % 3), 'author' || g, (100000 + g)::text, case when g % 2 = 0 then 'priority' else 'discovery' end, true,
             $2::timestamptz - (g * (interval '${span}' / $1::int)), $2::timestamptz - (g * (interval '${span}' / $1::int))
      from generate_series(0, $1::int - 1) g`,
    );
    await proportional(
      "window_summaries",
      480,
      `
      insert into $TABLE (collector, window_id, mode, window_start, window_end, post_count, summary_md, top_status_ids, created_at, source_updated_at)
      select 'bench-' || (g % 3), 'w-' || g, 'priority', $2::timestamptz - (g * interval '3 hours'), $2::timestamptz - (g * interval '3 hours') + interval '6 hours', 10, 'summary', '{}',
             $2::timestamptz - (g * interval '3 hours'), $2::timestamptz - (g * interval '3 hours')
      from generate_series(1, $1::int) g`,
    );
    await proportional(
      "narrative_shifts",
      200,
      `
      insert into $TABLE (collector, shift_id, topic, detected_at, magnitude, description, status_ids, created_at, source_updated_at)
      select 'bench-' || (g % 3), 'shift-' || g, 'topic ' || g, $2::timestamptz - (g * interval '7 hours'), 0.5, 'shift', '{}',
             $2::timestamptz - (g * interval '7 hours'), $2::timestamptz - (g * interval '7 hours')
      from generate_series(1, $1::int) g`,
    );
    // Provenance (docs/decisions/012): each post and embedding pushed by the collector of the post's run.
    await client.query(`
      insert into collector_pushes (collector, table_name, key, since_at, source_updated_at, first_pushed_at, last_pushed_at, first_run_id, last_run_id)
      select r.collector, 'posts', p.status_id, p.collected_at, p.source_updated_at, p.collected_at, p.collected_at, p.run_id, p.run_id
      from posts p join pipeline_runs r on r.run_id = p.run_id`);
    await client.query(`
      insert into collector_pushes (collector, table_name, key, since_at, source_updated_at, first_pushed_at, last_pushed_at)
      select c.collector, 'embeddings', e.status_id, e.created_at, e.source_updated_at, e.created_at, e.created_at
      from embeddings e join collector_pushes c on c.table_name = 'posts' and c.key = e.status_id`);
    await client.query("vacuum analyze");
  } finally {
    await client.end();
  }
}
