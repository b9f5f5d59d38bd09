// The cutover's one pass run again on a server that already holds the rows
// (docs/decisions/022), against the real app: chunks the server holds as they
// are (this collector's rows, same content) are recorded as unchanged without
// being sent; a chunk with one changed row is sent, and only it; another
// collector's pushes never count as this collector's; a first import pays for
// one or two chunks' probes per shared table. The export is written every time,
// byte for byte the same.
import { readFileSync } from "node:fs";
import path from "node:path";
import Database from "better-sqlite3";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { cutoverSnapshot } from "../../src/collector/commands/cutover";
import { cutoverImport } from "../../src/collector/commands/cutover-import";
import { cutoverExportImport } from "../../src/collector/commands/cutover-one-pass";
import type { OnePassResult } from "../../src/collector/cutover/one-pass";
import type { HeldChunkInput } from "../../src/shared/schemas/bulk";
import { startCutoverWorld, type CutoverWorld } from "../support/cutover-world";

const COUNTS = { tweets: 900, reports: 20, watchAccounts: 5, runs: 20, embeddings: 300, summaries: 2, shifts: 2 };
const CHUNK = 100;

let world: CutoverWorld;
let snapshot: string;

beforeAll(async () => {
  world = await startCutoverWorld({ counts: COUNTS });
  const { ctx, log } = world.context({ XMONITOR_API_KEY: world.adminKey });
  const result = await cutoverSnapshot(ctx, { dataDir: path.join(world.dir, "cutover"), label: "rerun-box" });
  expect(result.ok, log.lines.join("\n")).toBe(true);
  snapshot = result.value!.snapshot.path;
  ctx.store.close();
}, 600_000);
afterAll(async () => {
  await world?.stop();
});

/** One pass of a new cutover (its own label) into a new export directory, with the admin key; the held-chunk probes it made. */
async function onePass(out: string, collector = "legacy-box", label = `${collector}-${out}`) {
  const { ctx, log } = world.context({ XMONITOR_API_KEY: world.adminKey, XMONITOR_COLLECTOR_NAME: collector });
  const probes: HeldChunkInput[] = [];
  const api = { ...ctx.api };
  ctx.api.heldChunk = (input) => {
    probes.push(input);
    return api.heldChunk(input);
  };
  const batchesBefore = await world.cutoverBatches();
  // A new cutover: its own folder and label (chunk keys carry the label), the same snapshot.
  const result = await cutoverExportImport(ctx, {
    dataDir: path.join(world.dir, `cutover-${out}`),
    label,
    snapshot,
    outDir: path.join(world.dir, out),
    batchSize: CHUNK,
  });
  ctx.store.close();
  expect(result.exitCode, log.lines.join("\n")).toBe(0);
  const value = result.value!.import!;
  return { value, log, probes, sent: (await world.cutoverBatches()) - batchesBefore };
}

const exportFile = (out: string, name: string) => readFileSync(path.join(world.dir, out, name));
const tablesOf = (v: OnePassResult) => ({ posts: v.tables.posts, embeddings: v.tables.embeddings });

describe("the one pass again on a server that holds its rows", () => {
  it("a first import probes at most two chunks per shared table and sends everything", async () => {
    const { value, probes, sent } = await onePass("export-1");
    expect(tablesOf(value)).toMatchObject({ posts: { inserted: 900 }, embeddings: { inserted: 300 } });
    expect(value.heldBatches).toBe(0);
    expect(probes.filter((p) => p.table === "posts").length).toBeLessThanOrEqual(2);
    expect(probes.filter((p) => p.table === "embeddings").length).toBeLessThanOrEqual(2);
    expect(probes.every((p) => p.table === "posts" || p.table === "embeddings")).toBe(true);
    // 9 + 3 chunks of the shared tables, and the others'.
    expect(value.batches).toBe(sent);
    expect(sent).toBeGreaterThanOrEqual(12);
  });

  it("unchanged: every shared chunk is held and not sent; the owned tables are sent; the export is the same", async () => {
    const { value, log, sent } = await onePass("export-2");
    expect(tablesOf(value)).toEqual({
      posts: { inserted: 0, updated: 0, unchanged: 900, rejected: 0, anomalies: 0, rows: 900 },
      embeddings: { inserted: 0, updated: 0, unchanged: 300, rejected: 0, anomalies: 0, rows: 300 },
    });
    expect(value.heldBatches).toBe(12);
    expect(value.tables.pipelineRuns).toMatchObject({ unchanged: 20 });
    // Only the owned tables' chunks reached the server (one each at these sizes).
    expect(sent).toBe(5);
    expect(log.lines).toContainEqual(
      expect.stringMatching(
        /^import ok pass \d+: 0 rows rejected; 12 chunks the server already held as they are were not sent$/,
      ),
    );
    for (const name of ["tweets.jsonl", "tweet_embeddings.jsonl", "runs.jsonl"])
      expect(exportFile("export-2", name).equals(exportFile("export-1", name)), name).toBe(true);
  });

  it("one changed post: its chunk alone is sent, and the server has the change", async () => {
    const db = new Database(snapshot);
    const [target] = db
      .prepare("select status_id from tweets order by status_id limit 1 offset 450")
      .pluck()
      .all() as string[];
    db.prepare("update tweets set body = 'edited after the first import', updated_at = ? where status_id = ?").run(
      "2026-11-30T12:00:00.000Z",
      target,
    );
    db.close();
    const { value, sent } = await onePass("export-3");
    expect(value.tables.posts).toMatchObject({ inserted: 0, updated: 1, unchanged: 899 });
    expect(value.heldBatches).toBe(11);
    expect(sent).toBe(6);
    const stored = await world.t.db.post.findUniqueOrThrow({ where: { statusId: target! } });
    expect(stored.body).toBe("edited after the first import");
  });

  it("cutover import of a finished export again: its shared chunks are held too (checked from the export's items)", async () => {
    const { ctx, log } = world.context({ XMONITOR_API_KEY: world.adminKey });
    const batchesBefore = await world.cutoverBatches();
    const result = await cutoverImport(ctx, {
      dataDir: path.join(world.dir, "cutover-export-2"),
      exportDir: path.join(world.dir, "export-2"),
      batchSize: CHUNK,
    });
    ctx.store.close();
    expect(result.exitCode, log.lines.join("\n")).toBe(0);
    const value = result.value!;
    // The export holds the first version of the post changed since: its chunk is sent, and stale.
    expect(value.tables.posts).toMatchObject({ inserted: 0, updated: 0, unchanged: 900, rejected: 0 });
    expect(value.tables.embeddings).toMatchObject({ unchanged: 300, rejected: 0 });
    expect(value.heldBatches).toBe(11);
    expect((await world.cutoverBatches()) - batchesBefore).toBe(6);
  });

  it("another collector's pass: the rows are on the server, but not as its pushes, so every chunk is sent", async () => {
    const { value, probes, sent } = await onePass("export-4", "other-box");
    expect(value.heldBatches).toBe(0);
    expect(value.tables.posts).toMatchObject({ inserted: 0, unchanged: 900 });
    expect(probes.filter((p) => p.table === "posts").length).toBeLessThanOrEqual(2);
    expect(sent).toBeGreaterThanOrEqual(12);
    // Its second pass is held: now it has pushed them.
    const again = await onePass("export-5", "other-box");
    expect(again.value.heldBatches).toBe(12);
  });

  it("a third collector under the second's label, with the same key and data: its chunks have keys of their own", async () => {
    // The same label, pass, key and chunk contents: only the collector tells the chunks apart.
    const { value, sent } = await onePass("export-6", "third-box", "other-box-export-4");
    expect(value.tables.posts).toMatchObject({ inserted: 0, unchanged: 900, rejected: 0 });
    expect(value.replayedBatches).toBe(0);
    expect(sent).toBeGreaterThanOrEqual(12);
  });
});
