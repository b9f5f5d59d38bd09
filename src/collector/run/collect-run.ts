// Steps 1–6 of a run: record it, fetch, score, store, embed, update windows
// and shifts, write the digest, finish it. All the run's writes to the
// SQLite file happen in one transaction, so a crash leaves the file as it
// was before the run (apart from the 'running' row, which the next start
// marks failed).
import type { Embedder } from "../embedding";
import { buildDigestReport } from "../report";
import { countKeywordHits, scorePost } from "../scoring";
import type { PostSource } from "../sources/post-source";
import type { RunRow, SqliteStore, TweetInput } from "../store/sqlite-store";
import { detectNarrativeShifts } from "../narrative-shifts";
import { previousWindow, summariseWindow, windowFor, type WindowBounds } from "../windows";
import { collectPosts, type CollectMode } from "./collect-posts";

export type CollectRunResult = {
  run: RunRow;
  fetched: number;
  newPosts: number;
  updatedPosts: number;
  shifts: number;
  error?: string;
};

export async function collectRun(options: {
  mode: CollectMode;
  store: SqliteStore;
  source: PostSource;
  embedder: Embedder;
  queries: readonly string[];
  keywords: readonly string[];
  now: () => Date;
}): Promise<CollectRunResult> {
  const { store, mode } = options;
  const run = store.recordRunStart(mode);
  try {
    const now = options.now();
    const found = await collectPosts({ mode, store, source: options.source, queries: options.queries, now });
    const posts: TweetInput[] = found.map(({ tier, ...post }) => ({
      ...post,
      mode,
      run_id: run.run_id,
      score: scorePost({
        likes: post.like_count,
        reposts: post.repost_count,
        replies: post.reply_count,
        quotes: post.quote_count,
        views: post.view_count,
        createdAt: post.created_at,
        now,
        tier,
        keywordHits: countKeywordHits(post.body, options.keywords),
      }),
    }));
    const vectors = posts.length ? await options.embedder.embed(posts.map((p) => p.body)) : [];
    const windowMode = mode === "refresh-24h" ? "priority" : mode;
    const current = windowFor({ mode: windowMode, time: now });
    const previous = previousWindow(current);
    return store.transaction(() => {
      const result = store.upsertTweets(posts);
      const fresh = new Set(result.inserted);
      store.upsertEmbeddings(
        posts.flatMap((p, i) =>
          fresh.has(p.status_id)
            ? [{ status_id: p.status_id, model: options.embedder.model, vector: vectors[i]! }]
            : [],
        ),
      );
      const sample = (w: WindowBounds) => {
        const inWindow = store.listTweetsPublishedBetween({ from: w.window_start, to: w.window_end, mode: windowMode });
        return {
          window: w,
          posts: inWindow,
          vectors: store.getEmbeddings({ statusIds: inWindow.map((p) => p.status_id), model: options.embedder.model }),
        };
      };
      const [before, after] = [sample(previous), sample(current)];
      const windows = [summariseWindow(before), summariseWindow(after)];
      store.upsertWindowSummaries(windows);
      const shifts = detectNarrativeShifts({ previous: before, current: after, now });
      store.insertNarrativeShifts(shifts);
      const stored = posts.map((p) => ({ ...p, score: p.score ?? null }));
      store.insertReport(buildDigestReport({ runId: run.run_id, mode, posts: stored, shifts, windows, now }));
      const finished = store.finishRun({
        runId: run.run_id,
        status: "success",
        fetchedCount: found.length,
        newCount: result.inserted.length,
      });
      return {
        run: finished,
        fetched: found.length,
        newPosts: result.inserted.length,
        updatedPosts: result.updated.length,
        shifts: shifts.length,
      };
    });
  } catch (error) {
    const message = (error as Error).message;
    const finished = store.finishRun({ runId: run.run_id, status: "failed", error: message });
    return { run: finished, fetched: 0, newPosts: 0, updatedPosts: 0, shifts: 0, error: message };
  }
}
