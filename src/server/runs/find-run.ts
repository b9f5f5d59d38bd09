// A run by id. Run ids are unique per collector (pipeline_runs' key is
// (collector, run_id), docs/decisions/012): with the collector the lookup is
// exact; without it the id must name exactly one run, else the caller is told
// which collectors hold it and to pass one.
import type { Db } from "../db";
import { AppError } from "../errors";

type RunDb = Pick<Db, "pipelineRun">;

/** The (collector, run id) of the run, or null when no run has that id. */
export async function findRunKey(
  db: RunDb,
  runId: string,
  collector?: string | null,
): Promise<{ collector: string; runId: string } | null> {
  const rows = await db.pipelineRun.findMany({
    where: { runId, ...(collector ? { collector } : {}) },
    select: { collector: true, runId: true },
    orderBy: { collector: "asc" },
    take: 5,
  });
  if (rows.length > 1)
    throw new AppError(
      "CONFLICT",
      `Run id ${runId} exists for several collectors (${rows.map((r) => r.collector).join(", ")}): name the collector too.`,
    );
  return rows[0] ?? null;
}

/** Keyset cursor of the runs list: a run's (collector, run id). */
export const encodeRunCursor = (row: { collector: string; runId: string }) =>
  JSON.stringify([row.collector, row.runId]);

export function decodeRunCursor(cursor: string): { collector: string; runId: string } {
  try {
    const [collector, runId] = JSON.parse(cursor) as unknown[];
    if (typeof collector === "string" && typeof runId === "string") return { collector, runId };
  } catch {
    // not JSON: reported below
  }
  throw new AppError("BAD_REQUEST", "Invalid runs cursor: start again from the first page.");
}
