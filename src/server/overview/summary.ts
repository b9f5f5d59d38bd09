import type { Db } from "../db";

export const recentRunSelect = {
  runId: true,
  collector: true,
  mode: true,
  runAt: true,
  finishedAt: true,
  status: true,
  fetchedCount: true,
  newCount: true,
  error: true,
} as const;

/** What the console's first screen needs in one round of queries. */
export async function getOverviewSummary(db: Db) {
  const [posts, reports, runs, accounts, embeddings, summaries, shifts, recentRuns, health] = await Promise.all([
    db.post.count(),
    db.report.count(),
    db.pipelineRun.count(),
    db.watchAccount.count(),
    db.embedding.count(),
    db.windowSummary.count(),
    db.narrativeShift.count(),
    db.pipelineRun.findMany({ select: recentRunSelect, orderBy: { runAt: "desc" }, take: 10 }),
    db.collectorHealth.findMany({ orderBy: [{ collector: "asc" }, { mode: "asc" }] }),
  ]);
  return {
    counts: { posts, reports, pipelineRuns: runs, watchAccounts: accounts, embeddings, windowSummaries: summaries, narrativeShifts: shifts },
    recentRuns,
    health,
  };
}
