// npx tsx bench/merge-crossover.ts [-- --rows N --reps R]
// Where the COPY staging table starts to beat the JSON parameter for the one
// merge (src/server/ingest/upsert-sql.ts): realistic posts (100–4,000
// character bodies, raw JSON carrying the body again) merged into an empty
// posts table in one transaction per batch, for batch sizes from 25 to
// 5,000 rows, both ways in turn within each repetition, straight on the pg
// pool (no HTTP): rows/s for each way and the ratio COPY ÷ JSON.
// ingest-transaction.ts merges through COPY from COPY_MIN_ROWS rows.
import pg from "pg";
import { COPY_MIN_ROWS } from "../src/server/ingest/ingest-transaction";
import { mergeThroughStaging } from "../src/server/ingest/copy-staging";
import { toRecordsetJson, upsertSql } from "../src/server/ingest/upsert-sql";
import { randomFromState } from "../src/shared/random";
import { postItemSchema } from "../src/shared/schemas/items";
import { syncTables } from "../src/shared/schemas/tables";
import { intArg, median, printTable, realisticPost, scratchDatabase } from "./support";

const ROWS = intArg("rows", 20_000);
const REPS = intArg("reps", 3);
const SIZES = [25, 50, 100, 200, 500, 1_000, 5_000];

function posts(count: number): Record<string, unknown>[] {
  const r = randomFromState(21);
  return Array.from({ length: count }, (_, i) => postItemSchema.parse(realisticPost(r, i, 1_950_000_000_000_000_000n)));
}

async function main() {
  const scratch = await scratchDatabase("crossover");
  const pool = new pg.Pool({ connectionString: scratch.url, max: 2 });
  const rows = posts(ROWS);
  const figures = new Map<number, { json: number[]; copy: number[] }>(SIZES.map((s) => [s, { json: [], copy: [] }]));
  const run = async (size: number, way: "json" | "copy") => {
    await pool.query("truncate posts");
    const client = await pool.connect();
    const started = performance.now();
    try {
      for (let at = 0; at < rows.length; at += size) {
        const batch = rows.slice(at, at + size);
        await client.query("begin");
        if (way === "copy") await mergeThroughStaging(client, "posts", syncTables.posts, batch);
        else await client.query(upsertSql.posts, [toRecordsetJson(batch)]);
        await client.query("commit");
      }
    } finally {
      client.release();
    }
    return rows.length / ((performance.now() - started) / 1000);
  };
  try {
    console.log(`merge-crossover: ${ROWS} posts, ${REPS} repetitions, batch sizes ${SIZES.join(", ")}`);
    for (let rep = 1; rep <= REPS; rep++) {
      for (const size of SIZES) {
        const f = figures.get(size)!;
        // Alternate which goes first, so neither always meets a warmer cache.
        const order: ("json" | "copy")[] = rep % 2 ? ["json", "copy"] : ["copy", "json"];
        for (const way of order) f[way].push(await run(size, way));
      }
      console.log(`  rep ${rep} done`);
    }
  } finally {
    await pool.end();
    await scratch.drop();
  }
  printTable(
    ["rows per batch", "JSON parameter rows/s (median)", "COPY staging rows/s (median)", "COPY ÷ JSON"],
    SIZES.map((size) => {
      const f = figures.get(size)!;
      return [
        String(size),
        median(f.json).toFixed(0),
        median(f.copy).toFixed(0),
        (median(f.copy) / median(f.json)).toFixed(2),
      ];
    }),
  );
  console.log(`ingest merges through COPY from COPY_MIN_ROWS = ${COPY_MIN_ROWS} rows of a table`);
}

await main();
