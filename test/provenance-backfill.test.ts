// The per-collector provenance migration on a database that already holds
// rows (docs/decisions/012): every row is kept and given the collector it
// came from (its run's collector, else the ingest batch that wrote it, else
// the only collector the server knows, else 'legacy'), and posts and
// embeddings get their pushes recorded. Migrations are applied in order with
// plain pg, data written between the one before and this one.
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { projectRoot } from "../scripts/lib/project-root";
import { createTestDatabase, type TestDatabase } from "./support/database";

const dir = path.join(projectRoot, "prisma", "migrations");
const migrations = readdirSync(dir)
  .filter((d) => /^\d{14}_/.test(d))
  .sort();
const target = migrations.findIndex((d) => d.endsWith("_per_collector_provenance"));
const sqlOf = (name: string) => readFileSync(path.join(dir, name, "migration.sql"), "utf8");

let t: TestDatabase;
let client: pg.Client;

async function migrateTo(before: string[], rows: string): Promise<void> {
  await client.query("drop schema public cascade; create schema public;");
  for (const name of before) await client.query(sqlOf(name));
  await client.query(rows);
  await client.query(sqlOf(migrations[target]!));
}

const rows = async (sql: string) => (await client.query(sql)).rows as Record<string, unknown>[];

beforeAll(async () => {
  t = await createTestDatabase();
  client = new pg.Client({ connectionString: t.url });
  await client.connect();
});
afterAll(async () => {
  await client?.end();
  await t?.drop();
});

describe("the provenance migration on stored rows", () => {
  it("gives every row its collector and keeps them all", async () => {
    expect(target).toBeGreaterThan(0);
    await migrateTo(
      migrations.slice(0, target),
      `
      insert into ingest_batches (id, idempotency_key, request_hash, collector, run_id, mode, received_at, status, table_counts) values
        (gen_random_uuid(), 'k1', 'h', 'box-a', 'run-a', 'priority', '2026-11-20T10:00:00Z', 'succeeded', '{"windowSummaries":{"inserted":1,"updated":0}}'),
        (gen_random_uuid(), 'k2', 'h', 'box-b', 'run-b', 'priority', '2026-11-20T11:00:00Z', 'succeeded', '{"windowSummaries":{"inserted":1,"updated":0}}');
      insert into pipeline_runs (run_id, collector, mode, run_at, status, source_updated_at) values
        ('run-a', null, 'priority', now(), 'success', now()),
        ('run-b', 'box-b', 'priority', now(), 'success', now()),
        ('run-x', null, 'manual', now(), 'success', now());
      insert into reports (report_id, run_id, kind, title, body_md, created_at, source_updated_at) values
        ('r1', 'run-a', 'digest', 't', 'b', now(), now()),
        ('r2', 'run-b', 'digest', 't', 'b', now(), now()),
        ('r3', null, 'digest', 't', 'b', now(), now());
      insert into window_summaries (window_id, mode, window_start, window_end, post_count, summary_md, created_at, source_updated_at, updated_at) values
        ('w1', 'priority', now(), now(), 1, 's', now(), now(), '2026-11-20T10:00:00.5Z'),
        ('w2', 'priority', now(), now(), 1, 's', now(), now(), '2026-11-20T11:00:00.2Z');
      insert into watch_accounts (handle, tier, added_at, source_updated_at) values ('policywonk', 'priority', now(), now());
      insert into posts (status_id, author_handle, body, created_at, collected_at, mode, run_id, source_updated_at) values
        ('1', 'a', 'b', now(), '2026-11-20T10:00:00Z', 'priority', 'run-a', now()),
        ('2', 'a', 'b', now(), '2026-11-20T12:00:00Z', 'priority', null, now());
      insert into embeddings (status_id, model, dims, vector, created_at, source_updated_at) values ('1', 'm', 1, '{1}', now(), now());`,
    );
    expect(await rows("select collector, run_id from pipeline_runs order by run_id")).toEqual([
      { collector: "box-a", run_id: "run-a" },
      { collector: "box-b", run_id: "run-b" },
      // Two collectors are known: a row of no known origin is 'legacy', never dropped.
      { collector: "legacy", run_id: "run-x" },
    ]);
    expect(await rows("select collector, report_id from reports order by report_id")).toEqual([
      { collector: "box-a", report_id: "r1" },
      { collector: "box-b", report_id: "r2" },
      { collector: "legacy", report_id: "r3" },
    ]);
    expect(await rows("select collector, window_id from window_summaries order by window_id")).toEqual([
      { collector: "box-a", window_id: "w1" },
      { collector: "box-b", window_id: "w2" },
    ]);
    expect(await rows("select collector, handle from watch_accounts")).toEqual([
      { collector: "legacy", handle: "policywonk" },
    ]);
    expect(
      await rows(
        "select collector, table_name, key, first_run_id, since_at = (select collected_at from posts where status_id = key) as same_since from collector_pushes order by table_name, key",
      ),
    ).toEqual([
      { collector: "box-a", table_name: "embeddings", key: "1", first_run_id: null, same_since: false },
      { collector: "box-a", table_name: "posts", key: "1", first_run_id: "run-a", same_since: true },
      { collector: "legacy", table_name: "posts", key: "2", first_run_id: null, same_since: true },
    ]);
  });

  it("gives a server that only ever heard of one collector all its rows under that collector", async () => {
    await migrateTo(
      migrations.slice(0, target),
      `
      insert into cutover_runs (id, label, collector, operator, status, started_at) values (gen_random_uuid(), 'c', 'the-box', 'op', 'succeeded', now());
      insert into pipeline_runs (run_id, collector, mode, run_at, status, source_updated_at) values ('run-1', null, 'cutover', now(), 'success', now());
      insert into watch_accounts (handle, tier, added_at, source_updated_at) values ('macro_desk', 'priority', now(), now());
      insert into narrative_shifts (shift_id, topic, detected_at, magnitude, description, created_at, source_updated_at) values ('s1', 't', now(), 0.5, 'd', now(), now());`,
    );
    expect(await rows("select collector from pipeline_runs")).toEqual([{ collector: "the-box" }]);
    expect(await rows("select collector from watch_accounts")).toEqual([{ collector: "the-box" }]);
    expect(await rows("select collector from narrative_shifts")).toEqual([{ collector: "the-box" }]);
  });
});
