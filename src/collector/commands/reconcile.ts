// `collector reconcile [--since <iso>]`: local vs server row counts per
// table, with the same timestamp rule on both sides (syncTables.sinceColumn),
// against this collector's rows on the server (docs/decisions/012). A run in
// progress has rows that are not pushed yet: reconcile waits for the run lock
// to clear (bounded), counts, and counts again if a run began meanwhile.
import { syncTableNames, syncTables, type SyncTable } from "~/shared/schemas/tables";
import type { CollectorContext } from "../context";
import {
  describeRun,
  IdleTimeoutError,
  listRunsInProgress,
  waitUntilIdle,
  type RunInProgress,
} from "../scheduler/run-lock";
import type { ServerCounts } from "../uplink/server-client";
import { deepReconcile } from "./reconcile-deep";
import type { DeepResult } from "~/shared/schemas/deep-reconcile";

/** How long reconcile waits for runs in progress by default: longer than any healthy cycle. */
export const DEFAULT_RECONCILE_WAIT_SECONDS = 900;
const COUNT_ATTEMPTS = 3;

/** Runs whose rows reconcile must not count half-pushed: every writing job (not a reconcile itself). */
const writesRows = (run: RunInProgress) => run.job !== "reconcile";

export type ReconcileWait = {
  /** Give up (exit 2, no verdict) after this long; default DEFAULT_RECONCILE_WAIT_SECONDS. */
  timeoutMs?: number;
  pollMs?: number;
  sleep?: (ms: number) => Promise<void>;
};

/** `synced` is false for tables this collector's key may not write: shown, not judged. */
export type ReconcileRow = {
  table: SyncTable;
  sqlite: string;
  server: string;
  local: number;
  serverCount: number;
  delta: number;
  synced: boolean;
};
export type ReconcileOutcome = {
  exitCode: number;
  passed: boolean;
  since: string;
  rows: ReconcileRow[];
  /** With --deep: the content check (after --repair: the second check). */
  deep?: DeepResult;
  error?: string;
};

export async function reconcileCommand(
  ctx: CollectorContext,
  options: {
    since?: string | undefined;
    json?: boolean;
    record?: boolean;
    wait?: ReconcileWait;
    deep?: boolean;
    repair?: boolean;
  },
): Promise<ReconcileOutcome> {
  const since = options.since ?? new Date(ctx.now().getTime() - 86_400_000).toISOString();
  const collector = ctx.config.XMONITOR_COLLECTOR_NAME;
  const lockDir = ctx.config.XMONITOR_RUN_LOCK_DIR;
  const timeoutMs = options.wait?.timeoutMs ?? DEFAULT_RECONCILE_WAIT_SECONDS * 1000;
  let server: ServerCounts | undefined;
  let writable: SyncTable[] = [];
  let local: Record<string, number> = {};
  for (let attempt = 1; !server; attempt++) {
    try {
      await waitUntilIdle(timeoutMs, {
        dir: lockDir,
        only: writesRows,
        ...(options.wait?.pollMs !== undefined ? { pollMs: options.wait.pollMs } : {}),
        ...(options.wait?.sleep ? { sleep: options.wait.sleep } : {}),
        onWait: (running) =>
          ctx.log.info(
            `reconcile: waiting for ${running.map(describeRun).join("; ")} to finish (rows of a run in progress are not pushed yet; up to ${Math.round(timeoutMs / 1000)} s)`,
            { event: "reconcile_wait" },
          ),
      });
    } catch (error) {
      if (!(error instanceof IdleTimeoutError)) throw error;
      const message = `reconcile did not count, no verdict: ${error.message}; run collector reconcile once it has finished`;
      ctx.log.error(message);
      return { exitCode: 2, passed: false, since, rows: [], error: message };
    }
    try {
      local = Object.fromEntries(syncTableNames.map((table) => [table, ctx.store.countSince(table, since)]));
      const [counts, access] = await Promise.all([ctx.api.reconcileCounts(since, collector), ctx.api.access()]);
      writable = access.writableTables;
      // A run that began while counting may have rows on one side only: count again.
      if (attempt < COUNT_ATTEMPTS && listRunsInProgress({ dir: lockDir }).some(writesRows)) continue;
      server = counts;
    } catch (error) {
      const message = `reconcile could not read the server's counts: ${(error as Error).message}`;
      ctx.log.error(message);
      return { exitCode: 2, passed: false, since, rows: [], error: message };
    }
  }
  const counted = server;
  const rows = syncTableNames.map((table) => {
    const localCount = local[table] ?? 0;
    const serverCount = counted.tables[table].since;
    return {
      table,
      sqlite: syncTables[table].sqlite,
      server: syncTables[table].server,
      local: localCount,
      serverCount,
      delta: localCount - serverCount,
      synced: writable.includes(table),
    };
  });
  let passed = rows.every((r) => !r.synced || r.delta === 0);
  if (!options.json) {
    const width = Math.max(...rows.map((r) => r.sqlite.length)) + 2;
    ctx.log.info(`reconcile since ${since} for collector ${collector} (server counted at ${counted.takenAt})`);
    ctx.log.info(`${"table".padEnd(width)}${"local".padStart(10)}${"server".padStart(10)}${"delta".padStart(8)}`);
    for (const r of rows) {
      const delta = r.delta > 0 ? `+${r.delta}` : String(r.delta);
      const note = r.synced ? "" : "  (not pushed with this key's role: not judged)";
      ctx.log.info(
        `${r.sqlite.padEnd(width)}${String(r.local).padStart(10)}${String(r.serverCount).padStart(10)}${delta.padStart(8)}${note}`,
      );
    }
    const differing = rows
      .filter((r) => r.synced && r.delta !== 0)
      .map((r) => `${r.sqlite} ${r.delta > 0 ? "+" : ""}${r.delta}`);
    if (passed) ctx.log.info("reconcile PASS");
    else
      ctx.log.error(
        `reconcile FAIL: ${differing.join(", ")} (positive: rows missing on the server; run catch-up --since ${since})`,
      );
  }
  let deep: DeepResult | undefined;
  if (options.deep || options.repair) {
    try {
      const tables = rows.filter((r) => r.synced).map((r) => r.table);
      ({ result: deep } = await deepReconcile(ctx, { since, tables, repair: options.repair, print: !options.json }));
    } catch (error) {
      const message = `reconcile --deep could not compare with the server: ${(error as Error).message}`;
      ctx.log.error(message);
      return { exitCode: 2, passed: false, since, rows, error: message };
    }
  }
  if (deep?.repaired) {
    // The repair pushed rows: the counts taken before it are stale.
    const again = await ctx.api.reconcileCounts(since, collector);
    for (const r of rows) {
      r.local = ctx.store.countSince(r.table, since);
      r.serverCount = again.tables[r.table].since;
      r.delta = r.local - r.serverCount;
    }
    passed = rows.every((r) => !r.synced || r.delta === 0);
    const off = rows.filter((r) => r.synced && r.delta !== 0).map((r) => `${r.sqlite} ${r.delta}`);
    if (!options.json) ctx.log.info(`reconcile counts after the repair: ${off.length ? off.join(", ") : "all equal"}`);
  }
  const ok = passed && (deep?.passed ?? true);
  if (options.json) {
    const result = ok ? "PASS" : "FAIL";
    process.stdout.write(
      `${JSON.stringify({ result, since, serverTakenAt: counted.takenAt, collector, tables: rows, ...(deep ? { deep } : {}) })}\n`,
    );
  }
  if (options.record !== false) {
    try {
      await ctx.api.recordReconcile({
        collector,
        since,
        checkedAt: ctx.now().toISOString(),
        passed: ok,
        tables: Object.fromEntries(
          rows.map((r) => [r.table, { local: r.local, server: r.serverCount, delta: r.delta }]),
        ) as never,
        ...(deep ? { deep } : {}),
      });
    } catch (error) {
      ctx.log.warn(`reconcile result not stored on the server: ${(error as Error).message}`);
    }
  }
  return { exitCode: ok ? 0 : 1, passed: ok, since, rows, ...(deep ? { deep } : {}) };
}
