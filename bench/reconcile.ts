// npm run bench:reconcile [-- --posts N --reps R --quick --deep-only --counts-only]
// reconcile-counts over a million posts (other tables in proportion) for
// since = 1 h, 24 h, 30 days and all, next to the obvious alternative (one
// scan per table counting with FILTER). Prints timings and the query plans.
// Then the content check (reconcile --deep, bench/reconcile-deep.ts).
import pg from "pg";
import { closeDb, createDb } from "../src/server/db";
import { reconcileCounts } from "../src/server/reconcile/reconcile-counts";
import { syncTableNames, syncTables } from "../src/shared/schemas/tables";
import { fillDatabase } from "./fill";
import { deepBench } from "./reconcile-deep";
import { flagArg, intArg, median, printTable, scratchDatabase, summarise } from "./support";

const QUICK = flagArg("quick");
const POSTS = intArg("posts", QUICK ? 20_000 : 1_000_000);
const REPS = intArg("reps", QUICK ? 2 : 7);
const now = new Date("2026-11-28T12:00:00Z");

async function main() {
  const scratch = await scratchDatabase("reconcile");
  console.log(
    `bench:reconcile: filling ${POSTS.toLocaleString("en-US")} posts and ${(POSTS / 10).toLocaleString("en-US")} runs (others in proportion)`,
  );
  let started = performance.now();
  await fillDatabase(scratch.url, { posts: POSTS, runs: POSTS / 10 }, now);
  console.log(`filled in ${((performance.now() - started) / 1000).toFixed(1)} s`);
  const db = createDb(scratch.url, { max: 8 });
  const client = new pg.Client({ connectionString: scratch.url });
  await client.connect();
  const cases: [string, string | undefined][] = [
    ["1 h", new Date(now.getTime() - 3_600_000).toISOString()],
    ["24 h", new Date(now.getTime() - 86_400_000).toISOString()],
    ["30 days", new Date(now.getTime() - 30 * 86_400_000).toISOString()],
    ["all", undefined],
  ];
  const rows: string[][] = [];
  try {
    await reconcileCounts(db, {}); // warm the caches and the connection
    for (const [label, since] of cases) {
      const ours: number[] = [];
      const alternative: number[] = [];
      for (let i = 0; i < REPS; i++) {
        started = performance.now();
        const result = await reconcileCounts(db, { since });
        ours.push(performance.now() - started);
        if (i === 0)
          console.log(
            `  ${label}: posts since ${result.tables.posts.since.toLocaleString("en-US")} of ${result.tables.posts.total.toLocaleString("en-US")}`,
          );
        started = performance.now();
        for (const table of syncTableNames) {
          const { server, sinceColumn } = syncTables[table];
          await client.query(
            `select count(*) as total, count(*) filter (where $1::timestamptz is null or "${sinceColumn}" >= $1) as since from "${server}"`,
            [since ?? null],
          );
        }
        alternative.push(performance.now() - started);
      }
      rows.push([
        label,
        summarise(ours, 1),
        summarise(alternative, 1),
        (median(ours) / median(alternative)).toFixed(2),
        median(ours) < 100 ? "met" : "MISSED",
      ]);
    }
    console.log("");
    printTable(
      [
        "since",
        "ours ms median (min–max)",
        "one FILTER scan per table ms",
        "ratio ours ÷ alternative",
        "target < 100 ms",
      ],
      rows,
    );
    const missed = rows.filter((r) => r[4] !== "met").map((r) => r[0]);
    console.log(`\ntarget: < 100 ms for every since → ${missed.length ? `MISSED (${missed.join(", ")})` : "met"}`);
    for (const [label, since] of [cases[1]!, cases[3]!]) {
      const plan = await client.query(
        `explain (analyze, costs off, timing off) select (select count(*) from posts) as total, (select count(*) from posts where collected_at >= $1::timestamptz) as since`,
        [since ?? "1970-01-01T00:00:00Z"],
      );
      console.log(
        `\nplan, posts, since ${label}:\n${plan.rows.map((r: Record<string, string>) => `  ${r["QUERY PLAN"]}`).join("\n")}`,
      );
    }
  } finally {
    await client.end();
    await closeDb(db);
    await scratch.drop();
  }
}

async function all() {
  if (!flagArg("deep-only")) await main();
  if (!flagArg("counts-only")) await deepBench(POSTS);
}

all().catch((error: unknown) => {
  console.error(`bench:reconcile failed: ${(error as Error | undefined)?.stack ?? String(error)}`);
  process.exit(1);
});
