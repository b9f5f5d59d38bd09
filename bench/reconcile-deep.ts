// The deep (content) reconcile over 1,000,000 posts spread over 3
// collectors (a tenth of them seen by two): each collector compares its
// SQLite file with the server, 0 differences expected; then 10 planted
// differences (4 missing, 3 extra, 3 changed) for one collector, which must
// be found exactly. Each collector runs in its own process (its peak RSS is
// the collector's); it calls the server's content-reconcile service over
// HTTP. Which collector pushed which post is in collector_pushes, as ingest
// records it (docs/decisions/012).
import { execFile } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:http";
import { loadavg, tmpdir } from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import pg from "pg";
import { missingCollectorEnv, missingCollectorFlags } from "../bin/node-flags.js";
import { localInsertSql } from "../src/collector/store/local-upsert";
import { rowEncoderFor } from "../src/collector/store/items";
import { openStore } from "../src/collector/store/sqlite-store";
import { systemPrincipal } from "../src/server/auth/principal";
import { closeDb, createDb, type Db } from "../src/server/db";
import { deepRowHashes, deepSegments } from "../src/server/reconcile/deep-reconcile";
import type { DeepTableResult } from "../src/shared/schemas/deep-reconcile";
import { deepRowHashesInputSchema, deepSegmentsInputSchema } from "../src/shared/schemas/deep-reconcile";
import { serverColumnOf, tableCatalog } from "../src/shared/table-catalog";
import { printTable, scratchDatabase } from "./support";

pg.types.setTypeParser(20, Number);
const run = promisify(execFile);
const COLLECTORS = ["c0", "c1", "c2"];
const FIRST = 1_900_000_000_000_000_000n;

export async function fillServer(client: pg.Client, posts: number): Promise<void> {
  await client.query(
    `insert into posts (status_id, author_handle, author_id, body, lang, url, created_at, collected_at, mode, run_id,
                        like_count, repost_count, reply_count, quote_count, view_count, is_reply, is_repost, score, raw_json, source_updated_at)
     select (${FIRST} + g)::text, 'author' || (g % 500), (100000 + g % 500)::text,
            'Post ' || g || ' about ' || (array['chips','rates','policy','energy','models'])[1 + g % 5] || repeat(' lorem ipsum', 10 + g % 40),
            'en', 'https://x.com/author' || (g % 500) || '/status/' || (${FIRST} + g),
            $2::timestamptz - g * interval '2 seconds' - interval '3 minutes', $2::timestamptz - g * interval '2 seconds',
            case when g % 3 = 0 then 'discovery' else 'priority' end, 'run-' || (1 + g % 1000),
            g % 5000, g % 700, g % 300, g % 90, (g % 5000) * 40, g % 7 = 0, false, (g % 1000) / 1000.0,
            '{"id":"' || (${FIRST} + g) || '"}', $2::timestamptz - g * interval '2 seconds'
     from generate_series(1, $1::int) g`,
    [posts, new Date("2026-11-28T12:00:00Z")],
  );
  // Provenance as ingest records it: every post has a collector that pushed it; every tenth a second one too.
  await client.query(
    `insert into collector_pushes (collector, table_name, key, since_at, source_updated_at)
     select b.collector, 'posts', p.status_id, p.collected_at, p.source_updated_at
     from (select 'c' || (g % 3) as collector, (${FIRST} + g)::text as key from generate_series(1, $1::int) g
           union all select 'c' || ((g + 1) % 3), (${FIRST} + g)::text from generate_series(10, $1::int, 10) g) b
     join posts p on p.status_id = b.key`,
    [posts],
  );
  await client.query("analyze posts; analyze collector_pushes");
}

/** A collector's SQLite file: its posts, read from the server in key order and written with the store's own encoding. */
export async function fillCollector(client: pg.Client, collector: string, file: string): Promise<number> {
  const store = openStore({ path: file });
  const spec = tableCatalog.posts;
  const insert = store.db.prepare(localInsertSql(spec));
  const encode = rowEncoderFor(spec);
  const select = Object.entries(spec.columns as Record<string, { server?: string }>)
    .map(([wire, col]) => `p."${serverColumnOf(wire, col)}" as "${wire}"`)
    .join(", ");
  let after = "";
  let total = 0;
  for (;;) {
    const { rows } = await client.query<Record<string, unknown>>(
      `select ${select} from posts p join collector_pushes b on b.key = p.status_id and b.collector = $1 and b.table_name = 'posts'
       where p.status_id > $2 order by p.status_id limit 50000`,
      [collector, after],
    );
    if (rows.length === 0) break;
    store.transaction(() => {
      for (const row of rows) insert.run(encode(row));
    });
    total += rows.length;
    after = rows.at(-1)!.status_id as string;
  }
  store.close();
  return total;
}

export function serve(db: Db): Promise<{ url: string; close: () => void }> {
  const principal = systemPrincipal("bench");
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const body: unknown = JSON.parse(Buffer.concat(chunks).toString("utf8"));
      const answer =
        req.url === "/segments"
          ? deepSegments(db, { input: deepSegmentsInputSchema.parse(body), principal })
          : deepRowHashes(db, { input: deepRowHashesInputSchema.parse(body), principal });
      answer.then(
        (out) => res.end(JSON.stringify(out)),
        (error: unknown) => {
          res.statusCode = 500;
          res.end((error as Error).message);
        },
      );
    });
  });
  return new Promise((resolve) =>
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as { port: number };
      resolve({ url: `http://127.0.0.1:${port}`, close: () => server.close() });
    }),
  );
}

type CollectorRun = { result: DeepTableResult; ms: number; cpuMs: number; maxRssMb: number; wallMs: number };

async function compareIn(file: string, url: string, collector: string): Promise<CollectorRun> {
  const started = performance.now();
  const { stdout } = await run(
    process.execPath,
    [
      // Started as the collector's bin starts it (bin/node-flags.js): its peak RSS is what operators see.
      ...missingCollectorFlags(),
      "--import",
      "tsx",
      path.join(import.meta.dirname, "reconcile-deep-collector.ts"),
      "--db",
      file,
      "--url",
      url,
      "--collector",
      collector,
    ],
    { maxBuffer: 16 * 1024 * 1024, env: { ...process.env, ...missingCollectorEnv() } },
  );
  return {
    ...(JSON.parse(stdout.trim().split("\n").at(-1)!) as Omit<CollectorRun, "wallMs">),
    wallMs: performance.now() - started,
  };
}

const diffs = (r: DeepTableResult) => r.missing.total + r.extra.total + r.different.total;

export async function deepBench(posts: number): Promise<boolean> {
  const scratch = await scratchDatabase("reconcile_deep");
  const dir = mkdtempSync(path.join(tmpdir(), "xm-bench-deep-"));
  const client = new pg.Client({ connectionString: scratch.url });
  await client.connect();
  const db = createDb(scratch.url, { max: 4 });
  const server = await serve(db);
  try {
    console.log(
      `\nbench:reconcile --deep: ${posts.toLocaleString("en-US")} posts over ${COLLECTORS.length} collectors (every tenth seen by two)`,
    );
    const started = performance.now();
    await fillServer(client, posts);
    const files: Record<string, string> = {};
    const sizes: Record<string, number> = {};
    for (const c of COLLECTORS) {
      files[c] = path.join(dir, `${c}.db`);
      sizes[c] = await fillCollector(client, c, files[c]);
    }
    console.log(
      `filled the server and ${COLLECTORS.length} SQLite files in ${((performance.now() - started) / 1000).toFixed(1)} s; ` +
        `load average before the compares: ${loadavg()
          .map((l) => l.toFixed(2))
          .join(", ")}`,
    );

    const rows: string[][] = [];
    let ok = true;
    const report = (label: string, c: string, r: CollectorRun, verdict: boolean) => {
      ok &&= verdict && r.ms < 2000 && r.maxRssMb < 150;
      rows.push([
        label,
        c,
        sizes[c]!.toLocaleString("en-US"),
        String(r.result.segments),
        `${r.result.missing.total}/${r.result.extra.total}/${r.result.different.total}`,
        (r.ms / 1000).toFixed(2),
        (r.cpuMs / 1000).toFixed(2),
        (r.wallMs / 1000).toFixed(2),
        r.maxRssMb.toFixed(0),
        verdict ? "yes" : "NO",
      ]);
    };
    for (const c of COLLECTORS) {
      const r = await compareIn(files[c]!, server.url, c);
      report("clean", c, r, diffs(r.result) === 0 && r.result.local === sizes[c] && r.result.server === sizes[c]);
    }

    // 10 planted differences for c0, on keys only c0 pushed (g ≡ 3 mod 30).
    const key = (g: number) => `${FIRST + BigInt(g)}`;
    const owned = Array.from({ length: 7 }, (_, i) => key(3 + 30 * (1 + i * Math.floor(posts / 240))));
    const missing = owned.slice(0, 4);
    const changed = owned.slice(4, 7);
    const extra = [1, 2, 3].map((i) => `${FIRST * 2n + BigInt(i)}`);
    await client.query(`delete from posts where status_id = any($1)`, [missing]);
    await client.query(`update posts set like_count = like_count + 1 where status_id = any($1)`, [changed]);
    for (const k of extra) {
      await client.query(
        `insert into posts (status_id, author_handle, body, created_at, collected_at, mode, source_updated_at)
         values ($1, 'planted', 'planted', now(), now(), 'priority', now())`,
        [k],
      );
      await client.query(
        `insert into collector_pushes (collector, table_name, key, since_at, source_updated_at) values ('c0', 'posts', $1, now(), now())`,
        [k],
      );
    }
    const planted = await compareIn(files.c0!, server.url, "c0");
    const same = (a: string[], b: string[]) => [...a].sort().join() === [...b].sort().join();
    const exact =
      same(planted.result.missing.keys, missing) &&
      same(planted.result.extra.keys, extra) &&
      same(planted.result.different.keys, changed) &&
      diffs(planted.result) === 10;
    report("10 planted", "c0", planted, exact);

    console.log("");
    printTable(
      [
        "case",
        "collector",
        "its posts",
        "segments compared",
        "missing/extra/different",
        "end to end s",
        "its CPU s",
        "process s",
        "peak RSS MB",
        "exact",
      ],
      rows,
    );
    console.log(
      `\nend to end: the collector's compareTable from opening its file to the verdict (server calls included); ` +
        `its CPU: that process's; process: with Node's start. Load average after the run: ${loadavg()
          .map((l) => l.toFixed(2))
          .join(", ")}`,
    );
    console.log(
      `targets: 0 differences when clean, exactly the 10 planted found, end to end < 2 s and peak RSS < 150 MB per collector → ${ok ? "met" : "MISSED"}`,
    );
    return ok;
  } finally {
    server.close();
    await client.end();
    await closeDb(db);
    await scratch.drop();
    rmSync(dir, { recursive: true, force: true });
  }
}
