// Removing what an operator created by hand on the server, such as the
// synthetic run an ingest smoke test leaves behind. Admin only (the router
// decides), always with a reason, and recorded in `removals` with a copy of
// every removed row. The run's ingest batches stay: they are the record of
// what was pushed. Posts stay: they are shared, not owned by a run.
import type { Prisma } from "~/generated/prisma/client";
import type { Principal } from "../auth/principal";
import type { Db } from "../db";
import { AppError } from "../errors";
import { findRunKey } from "../runs/find-run";

export type RunRemovalPreview = {
  runId: string;
  collector: string | null;
  mode: string;
  runAt: Date;
  status: string;
  /** Reports of the run: removed with it. */
  reports: number;
  /** Ingest batches that carried it: kept. */
  batches: number;
  /** Posts first stored by the run: kept. */
  posts: number;
};

/** What a removal of this run would take away and what it would leave. */
export async function previewRunRemoval(
  db: Db,
  runId: string,
  options: { collector?: string | undefined } = {},
): Promise<RunRemovalPreview> {
  const found = await findRunKey(db, runId, options.collector);
  const run =
    found &&
    (await db.pipelineRun.findUnique({
      where: { collector_runId: found },
      select: { runId: true, collector: true, mode: true, runAt: true, status: true },
    }));
  if (!run) throw new AppError("NOT_FOUND", `No run ${runId} on the server: nothing to remove.`);
  const [reports, batches, posts] = await Promise.all([
    db.report.count({ where: { runId, collector: run.collector } }),
    db.ingestBatch.count({ where: { runId, collector: run.collector } }),
    db.post.count({ where: { runId } }),
  ]);
  return { ...run, reports, batches, posts };
}

export type RunRemoval = { removalId: string; runId: string; removedReports: number; removedAt: Date };

export async function removeRun(
  db: Db,
  principal: Principal,
  input: { runId: string; reason: string; collector?: string | undefined },
): Promise<RunRemoval> {
  return db.$transaction(async (tx) => {
    const found = await findRunKey(tx, input.runId, input.collector);
    // Lock the row so two admins removing the same run record one removal.
    const locked = found
      ? await tx.$queryRaw<{ run_id: string }[]>`
      select run_id from pipeline_runs where collector = ${found.collector} and run_id = ${input.runId} for update`
      : [];
    if (!found || locked.length === 0) {
      throw new AppError(
        "NOT_FOUND",
        `No run ${input.runId} on the server: it was never stored or is already removed.`,
      );
    }
    const run = await tx.pipelineRun.findUniqueOrThrow({ where: { collector_runId: found } });
    const reports = await tx.report.findMany({ where: { runId: input.runId, collector: found.collector } });
    await tx.report.deleteMany({ where: { runId: input.runId, collector: found.collector } });
    await tx.pipelineRun.delete({ where: { collector_runId: found } });
    const removal = await tx.removal.create({
      data: {
        kind: "run",
        key: run.runId,
        collector: run.collector,
        reason: input.reason,
        removedBy: `${principal.name} (${principal.keyPrefix})`,
        removedByKeyId: principal.apiKeyId,
        removedRows: JSON.parse(JSON.stringify({ run, reports })) as Prisma.InputJsonValue,
      },
      select: { id: true, removedAt: true },
    });
    return { removalId: removal.id, runId: run.runId, removedReports: reports.length, removedAt: removal.removedAt };
  });
}

/** The audit trail, newest first. */
export async function listRemovals(db: Db, options: { limit: number }) {
  return db.removal.findMany({
    orderBy: { removedAt: "desc" },
    take: options.limit,
    select: { id: true, kind: true, key: true, collector: true, reason: true, removedBy: true, removedAt: true },
  });
}
