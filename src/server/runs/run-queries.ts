import type { Prisma } from "~/generated/prisma/client";
import type { Db } from "../db";
import { AppError } from "../errors";
import { toPage } from "../pagination";
import { decodeRunCursor, encodeRunCursor, findRunKey } from "./find-run";
import { recentRunSelect } from "./run-select";

export type ListRunsOptions = {
  mode?: string | undefined;
  status?: string | undefined;
  collector?: string | undefined;
  runId?: string | undefined;
  from?: string | undefined;
  to?: string | undefined;
  cursor?: string | undefined;
  limit: number;
};

export async function listRuns(db: Db, options: ListRunsOptions) {
  const where: Prisma.PipelineRunWhereInput = {
    ...(options.mode ? { mode: options.mode } : {}),
    ...(options.status ? { status: options.status } : {}),
    ...(options.collector ? { collector: options.collector } : {}),
    ...(options.runId ? { runId: options.runId } : {}),
    ...(options.from || options.to
      ? {
          runAt: {
            ...(options.from ? { gte: new Date(options.from) } : {}),
            ...(options.to ? { lt: new Date(options.to) } : {}),
          },
        }
      : {}),
  };
  const rows = await db.pipelineRun.findMany({
    where,
    select: recentRunSelect,
    orderBy: [{ runAt: "desc" }, { runId: "desc" }, { collector: "desc" }],
    take: options.limit + 1,
    ...(options.cursor ? { cursor: { collector_runId: decodeRunCursor(options.cursor) }, skip: 1 } : {}),
  });
  return toPage(rows, options.limit, encodeRunCursor);
}

export async function getRunById(db: Db, runId: string, options: { collector?: string | undefined } = {}) {
  const found = await findRunKey(db, runId, options.collector);
  const run = found && (await db.pipelineRun.findUnique({ where: { collector_runId: found } }));
  if (!run) throw new AppError("NOT_FOUND", `No run ${runId} on the server: it may not have been ingested yet.`);
  const [batches, reports] = await Promise.all([
    db.ingestBatch.findMany({
      where: { runId, collector: run.collector },
      orderBy: { receivedAt: "asc" },
      select: {
        id: true,
        idempotencyKey: true,
        collector: true,
        mode: true,
        since: true,
        lookbackSeconds: true,
        maxAttempts: true,
        receivedAt: true,
        finishedAt: true,
        status: true,
        insertedCount: true,
        updatedCount: true,
        unchangedCount: true,
        rejectedCount: true,
        tableCounts: true,
        rejects: {
          select: { id: true, tableName: true, naturalKey: true, reason: true },
          take: 100,
          orderBy: { id: "asc" },
        },
      },
    }),
    db.report.findMany({
      where: { runId, collector: run.collector },
      select: { reportId: true, kind: true, title: true, bodyMd: true, statusIds: true, createdAt: true },
    }),
  ]);
  return {
    run,
    batches: batches.map((b) => ({ ...b, rejects: b.rejects.map((r) => ({ ...r, id: r.id.toString() })) })),
    reports,
  };
}
