// npx tsx bench/timestamptz-staging.ts [-- --rows N --reps R]
// How binary COPY staging should carry timestamptz (decisions/018): as
// timestamptz's own send format (microseconds since 2000, parsed from the
// validated ISO text in the app), or as the ISO text in a text column with a
// cast where the merge reads it (PostgreSQL parses it). Realistic posts (four
// time columns each) are staged both ways in turn and moved into a table of
// the server's column types (timestamptz(3)), in 2,000-row transactions on
// one connection: the app's encoding time and the whole time (encode + COPY
// + insert … select), in rows/s.
import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import pg from "pg";
import { from as copyFrom } from "pg-copy-streams";
import { binaryCopyChunks } from "../src/server/ingest/copy-staging";
import { upsertColumnsOf, type UpsertColumn } from "../src/server/ingest/upsert-sql";
import { randomFromState } from "../src/shared/random";
import { postItemSchema } from "../src/shared/schemas/items";
import { syncTables } from "../src/shared/schemas/tables";
import { intArg, median, printTable, realisticPost, scratchDatabase } from "./support";

const ROWS = intArg("rows", 40_000);
const REPS = intArg("reps", 3);
const BATCH = 2_000;

type Way = "binary" | "text + cast";

async function main() {
  const scratch = await scratchDatabase("tstz-staging");
  const pool = new pg.Pool({ connectionString: scratch.url, max: 1 });
  const r = randomFromState(21);
  const rows = Array.from({ length: ROWS }, (_, i) =>
    postItemSchema.parse(realisticPost(r, i, 1_950_000_000_000_000_000n)),
  ) as Record<string, unknown>[];
  const columns = upsertColumnsOf(syncTables.posts);
  const asText: UpsertColumn[] = columns.map((c) => (c.type === "timestamptz" ? { ...c, type: "text" } : c));
  const q = (name: string) => `"${name}"`;
  const def = (cols: UpsertColumn[], time: string) =>
    cols.map((c) => `${q(c.wire)} ${c.type === "timestamptz" ? time : c.type}`).join(", ");
  const select = (way: Way) =>
    columns.map((c) => (way === "text + cast" && c.type === "timestamptz" ? `${q(c.wire)}::timestamptz` : q(c.wire)));
  const figures: Record<Way, { encode: number[]; total: number[] }> = {
    binary: { encode: [], total: [] },
    "text + cast": { encode: [], total: [] },
  };
  const client = await pool.connect();
  try {
    const landed = (way: Way) => (way === "binary" ? "landed_binary" : "landed_text");
    for (const way of ["binary", "text + cast"] as const) {
      await client.query(`create table ${landed(way)} (${def(columns, "timestamptz(3)")})`);
    }
    const run = async (way: Way) => {
      const cols = way === "binary" ? columns : asText;
      await client.query(`truncate ${landed(way)}`);
      let encodeMs = 0;
      const started = performance.now();
      for (let at = 0; at < rows.length; at += BATCH) {
        const t0 = performance.now();
        const chunks = [...binaryCopyChunks(cols, rows.slice(at, at + BATCH))];
        encodeMs += performance.now() - t0;
        await client.query("begin");
        await client.query(`create temporary table staging (${def(cols, "timestamptz")}) on commit drop`);
        await pipeline(Readable.from(chunks), client.query(copyFrom("copy staging from stdin with (format binary)")));
        await client.query(`insert into ${landed(way)} select ${select(way).join(", ")} from staging`);
        await client.query("commit");
      }
      const totalMs = performance.now() - started;
      figures[way].encode.push(rows.length / (encodeMs / 1000));
      figures[way].total.push(rows.length / (totalMs / 1000));
    };
    console.log(`timestamptz-staging: ${ROWS} posts, ${REPS} repetitions, ${BATCH}-row transactions`);
    for (let rep = 1; rep <= REPS; rep++) {
      const order: Way[] = rep % 2 ? ["binary", "text + cast"] : ["text + cast", "binary"];
      for (const way of order) await run(way);
    }
    // Both ways must land the same rows, to the microsecond before rounding.
    const { rows: differ } = await client.query<{ n: number }>(
      `select count(*)::int as n from ((table landed_binary except table landed_text)
         union all (table landed_text except table landed_binary)) d`,
    );
    if (differ[0]!.n !== 0) throw new Error(`${differ[0]!.n} rows differ between the two ways`);
  } finally {
    client.release();
    await pool.end();
    await scratch.drop();
  }
  const fmt = (v: number[]) => Math.round(median(v)).toLocaleString("en-US");
  printTable(
    ["way", "encode rows/s", "encode + COPY + insert rows/s"],
    (["binary", "text + cast"] as const).map((way) => [way, fmt(figures[way].encode), fmt(figures[way].total)]),
  );
}

await main();
