// The library parts used together on a generated replay file: what one
// discovery run would write ends up as ingest items the shared schemas accept.
// (The run orchestration itself lives elsewhere; this only checks the fit.)
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterEach, beforeEach, expect, it } from "vitest";
import { syncTableNames, syncTables } from "~/shared/schemas/tables";
import { createHashedEmbedder } from "./embedding";
import { detectNarrativeShifts } from "./narrative-shifts";
import { buildDigestReport } from "./report";
import { countKeywordHits, scorePost } from "./scoring";
import { writeReplayFile } from "./sources/replay-generator";
import { createReplaySource } from "./sources/replay-source";
import { openStore, type SqliteStore } from "./store/sqlite-store";
import { previousWindow, summariseWindow, windowFor } from "./windows";

let dir: string;
let store: SqliteStore;
const now = new Date("2026-02-26T00:00:00Z");

beforeEach(() => {
  dir = mkdtempSync(path.join(tmpdir(), "xmon-fit-"));
  store = openStore({ path: path.join(dir, "x_monitor.db"), clock: () => now });
});
afterEach(() => {
  store.close();
  rmSync(dir, { recursive: true, force: true });
});

it("turns replayed posts into stored rows, windows, shifts and a report that sync as valid items", async () => {
  const file = path.join(dir, "replay.jsonl");
  await writeReplayFile({ file, seed: 42, count: 400, start: "2026-02-24T00:00:00Z", end: "2026-02-26T00:00:00Z" });
  const source = createReplaySource({ file });
  const embedder = createHashedEmbedder();
  const keywords = ["export controls", "inference chips", "compute threshold"];

  store.watchAccounts.add({ handle: "macro_desk", tier: "priority" });
  const run = store.recordRunStart("discovery");
  const found = await source.searchRecent("lang:en -is:retweet");
  const posts = found.map((p) => ({
    ...p,
    mode: "discovery",
    run_id: run.run_id,
    score: scorePost({
      likes: p.like_count,
      reposts: p.repost_count,
      replies: p.reply_count,
      quotes: p.quote_count,
      views: p.view_count,
      createdAt: p.created_at,
      now,
      keywordHits: countKeywordHits(p.body, keywords),
    }),
  }));
  const vectors = await embedder.embed(posts.map((p) => p.body));

  // With seed 42 the storyline starts in this window.
  const current = windowFor({ mode: "discovery", time: "2026-02-25T01:00:00Z" });
  const previous = previousWindow(current);
  store.transaction(() => {
    const result = store.upsertTweets(posts);
    store.upsertEmbeddings(
      posts.map((p, i) => ({ status_id: p.status_id, model: embedder.model, vector: vectors[i]! })),
    );
    const sample = (w: typeof current) => {
      const inWindow = store.listTweetsPublishedBetween({ from: w.window_start, to: w.window_end, mode: "discovery" });
      return {
        window: w,
        posts: inWindow,
        vectors: store.getEmbeddings({ statusIds: inWindow.map((p) => p.status_id), model: embedder.model }),
      };
    };
    const windows = [summariseWindow(sample(previous)), summariseWindow(sample(current))];
    store.upsertWindowSummaries(windows);
    const shifts = detectNarrativeShifts({
      previous: sample(previous),
      current: sample(current),
      now,
      termThreshold: 0.15,
    });
    store.insertNarrativeShifts(shifts);
    store.insertReport(buildDigestReport({ runId: run.run_id, mode: "discovery", posts, shifts, windows, now }));
    store.finishRun({
      runId: run.run_id,
      status: "success",
      fetchedCount: found.length,
      newCount: result.inserted.length,
    });
  });

  for (const table of syncTableNames) {
    const items = [...store.readChangedSince(table, "2026-02-25T23:59:59Z")];
    expect(items.length, table).toBeGreaterThan(0);
    for (const item of items) {
      const parsed = syncTables[table].schema.safeParse(item);
      expect(parsed.success, `${table}: ${JSON.stringify(parsed.error?.issues)}`).toBe(true);
    }
    expect(store.countSince(table, "2026-02-25T23:59:59Z"), table).toBe(items.length);
  }
  const shifts = [...store.readChangedSince("narrativeShifts")];
  expect(shifts.some((s) => /inference|export|compute/.test(s.topic))).toBe(true);
});
