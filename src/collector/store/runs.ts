// The collector's own run records (the contract's `runs` table): a row at
// the start of each run, finished with its counts or its error.
import { randomUUID } from "node:crypto";
import { tableCatalog } from "~/shared/table-catalog";
import type { StoredRow } from "./items";
import { localInsertSql } from "./local-upsert";
import type { StoreContext } from "./sqlite-store";

export type RunRow = StoredRow<"pipelineRuns">;
export type RunStatus = RunRow["status"];

const insertRunSql = localInsertSql(tableCatalog.pipelineRuns);

export function recordRunStart(store: StoreContext, mode: string, options: { runId?: string } = {}): RunRow {
  const now = store.now();
  const row: RunRow = {
    run_id: options.runId ?? randomUUID(),
    mode,
    run_at: now,
    finished_at: null,
    status: "running",
    fetched_count: 0,
    new_count: 0,
    error: null,
    updated_at: now,
  };
  store.db.prepare(insertRunSql).run(row);
  return row;
}

export function finishRun(
  store: StoreContext,
  options: {
    runId: string;
    status: "success" | "failed";
    fetchedCount?: number;
    newCount?: number;
    error?: string | null;
  },
): RunRow {
  const now = store.now();
  const result = store.db
    .prepare(
      `UPDATE runs SET status = @status, finished_at = @now, updated_at = @now, error = @error,
         fetched_count = coalesce(@fetched, fetched_count), new_count = coalesce(@new, new_count)
       WHERE run_id = @runId`,
    )
    .run({
      runId: options.runId,
      status: options.status,
      now,
      error: options.error ?? null,
      fetched: options.fetchedCount ?? null,
      new: options.newCount ?? null,
    });
  if (result.changes === 0) throw new Error(`no run ${options.runId} in the local database`);
  return getRun(store, options.runId)!;
}

export function getRun(store: StoreContext, runId: string): RunRow | undefined {
  return store.db.prepare("SELECT * FROM runs WHERE run_id = ?").get(runId) as RunRow | undefined;
}

/**
 * Runs still 'running' were left by a process that ended mid-run. Call at
 * start-up, before this process starts runs of its own, and only when no
 * other collector process holds a run lock (scheduler/run-lock.ts).
 */
export function markStaleRunsFailed(store: StoreContext, options: { startedBefore?: string } = {}): string[] {
  const now = store.now();
  return store.transaction(() => {
    const ids = (
      store.db
        .prepare(
          `SELECT run_id FROM runs WHERE status = 'running' AND (@before IS NULL OR julianday(run_at) < julianday(@before)) ORDER BY run_at`,
        )
        .all({ before: options.startedBefore ?? null }) as { run_id: string }[]
    ).map((r) => r.run_id);
    const update = store.db.prepare(
      `UPDATE runs SET status = 'failed', error = 'collector process ended mid-run', finished_at = @now, updated_at = @now WHERE run_id = @id`,
    );
    for (const id of ids) update.run({ id, now });
    return ids;
  });
}
