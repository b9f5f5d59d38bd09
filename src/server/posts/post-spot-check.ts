// Everything the console's spot check shows about one post: the stored row,
// the run that collected it, the reports, window summaries and narrative
// shifts that cite it, its embedding, and any rejected versions of it.
import type { Db } from "../db";
import { getPostByStatusId } from "./post-queries";
import { recentRunSelect } from "../runs/run-select";

export async function getPostSpotCheck(db: Db, options: { statusId: string }) {
  const post = await getPostByStatusId(db, options.statusId);
  const [run, reports, windows, shifts, embedding, rejects] = await Promise.all([
    post.run_id
      ? // Run ids are unique per collector; the oldest such run is the one that first stored the post.
        db.pipelineRun.findFirst({
          where: { runId: post.run_id },
          select: recentRunSelect,
          orderBy: { ingestedAt: "asc" },
        })
      : Promise.resolve(null),
    db.report.findMany({
      where: { statusIds: { has: options.statusId } },
      select: { reportId: true, runId: true, collector: true, kind: true, title: true, createdAt: true },
      orderBy: { createdAt: "desc" },
      take: 50,
    }),
    db.windowSummary.findMany({
      where: { topStatusIds: { has: options.statusId } },
      select: { windowId: true, mode: true, windowStart: true, windowEnd: true },
      orderBy: { windowStart: "desc" },
      take: 50,
    }),
    db.narrativeShift.findMany({
      where: { statusIds: { has: options.statusId } },
      select: { shiftId: true, topic: true, detectedAt: true, magnitude: true },
      orderBy: { detectedAt: "desc" },
      take: 50,
    }),
    db.embedding.findUnique({
      where: { statusId: options.statusId },
      select: { model: true, dims: true, createdAt: true, ingestedAt: true, updatedAt: true },
    }),
    db.ingestReject.findMany({
      where: { tableName: "posts", naturalKey: options.statusId },
      select: { id: true, batchId: true, reason: true, createdAt: true },
      orderBy: { createdAt: "desc" },
      take: 20,
    }),
  ]);
  return {
    post,
    run,
    reports,
    windows,
    shifts,
    embedding,
    rejects: rejects.map((r) => ({ ...r, id: r.id.toString() })),
  };
}
