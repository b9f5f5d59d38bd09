// `collector reconcile --deep [--repair]`: content reconcile of every table
// this key pushes (src/collector/deep/compare.ts). Names per table the keys
// missing on the server, extra there and different (up to 20 of each, with
// exact totals); --repair pushes exactly the missing and different rows
// through the batch pusher, then checks again and reports that second result.
// Extra rows on the server are named, never deleted.
import { DEEP_NAMED_KEYS } from "~/shared/request-limits";
import type { DeepResult, DeepTableResult } from "~/shared/schemas/deep-reconcile";
import { syncTables, type SyncTable } from "~/shared/schemas/tables";
import type { CollectorContext } from "../context";
import { compareTable, type DeepTuning } from "../deep/compare";
import { readItemsByKeys } from "../store/deep-scan";
import { pushBatches } from "../uplink/batch-pusher";

export type DeepOptions = {
  since?: string | undefined;
  /** The tables this key pushes (the others are not judged). */
  tables: readonly SyncTable[];
  repair?: boolean;
  tuning?: Partial<DeepTuning>;
};

/** Differences that fail the check (rows newer on the server, pushed by another collector, do not). */
export const differences = (r: DeepTableResult): number => r.missing.total + r.extra.total + r.different.total;

async function checkOnce(ctx: CollectorContext, options: DeepOptions, repairing: boolean): Promise<DeepResult> {
  const started = performance.now();
  const collector = ctx.config.XMONITOR_COLLECTOR_NAME;
  const tables: DeepResult["tables"] = {};
  let pushed = 0;
  for (const table of options.tables) {
    tables[table] = await compareTable({
      store: ctx.store,
      server: ctx.api,
      table,
      collector,
      since: options.since,
      ...(options.tuning ? { tuning: options.tuning } : {}),
      ...(repairing ? { onRepair: async (keys) => void (pushed += await pushRows(ctx, table, keys)) } : {}),
    });
  }
  if (repairing) ctx.log.info(`reconcile --repair: pushed ${pushed} rows (missing on the server or different there)`);
  return {
    passed: Object.values(tables).every((r) => differences(r) === 0),
    repaired: false,
    durationMs: Math.round(performance.now() - started),
    tables,
  };
}

/** The rows of these keys through the normal ingest path (idempotent, bounded batches). */
async function pushRows(ctx: CollectorContext, table: SyncTable, keys: string[]): Promise<number> {
  const items = readItemsByKeys(ctx.store, table, keys);
  const size = ctx.config.XMONITOR_INGEST_BATCH_SIZE;
  const batches = [];
  for (let i = 0; i < items.length; i += size) batches.push({ table, items: items.slice(i, i + size) });
  const collector = ctx.config.XMONITOR_COLLECTOR_NAME;
  const totals = await pushBatches({
    api: ctx.api,
    batches,
    envelope: { collector, mode: "catch-up", runId: null, since: null },
    keyPrefix: `${collector}:repair`,
    concurrency: ctx.config.XMONITOR_INGEST_CONCURRENCY,
    log: ctx.log,
  });
  for (const reject of totals.rejects)
    ctx.log.warn(`reconcile --repair: the server refused ${reject.table} ${reject.key ?? "?"}: ${reject.reason}`);
  return items.length;
}

function named(label: string, found: { total: number; keys: string[] }): string | null {
  if (found.total === 0) return null;
  const more = found.total > found.keys.length ? ` … and ${found.total - found.keys.length} more` : "";
  return `  ${label} (${found.total}): ${found.keys.slice(0, DEEP_NAMED_KEYS).join(", ")}${more}`;
}

export function printDeep(ctx: CollectorContext, result: DeepResult, heading: string): void {
  ctx.log.info(`${heading} (${(result.durationMs / 1000).toFixed(1)} s)`);
  for (const [table, r] of Object.entries(result.tables) as [SyncTable, DeepTableResult][]) {
    const newer = r.newerOnServer.total ? `, newer on server ${r.newerOnServer.total}` : "";
    ctx.log.info(
      `${syncTables[table].sqlite.padEnd(18)} local ${r.local} server ${r.server} segments ${r.segments}: missing ${r.missing.total}, extra ${r.extra.total}, different ${r.different.total}${newer}`,
    );
    for (const line of [
      named("missing on the server", r.missing),
      named("extra on the server (never deleted)", r.extra),
      named("different on the server", r.different),
      named("newer on the server (another collector's version: not a difference)", r.newerOnServer),
    ])
      if (line) ctx.log.info(line);
  }
  const failing = Object.entries(result.tables)
    .filter(([, r]) => differences(r) > 0)
    .map(([table]) => syncTables[table as SyncTable].sqlite);
  if (result.passed) ctx.log.info("reconcile --deep PASS");
  else
    ctx.log.error(
      `reconcile --deep FAIL: ${failing.join(", ")} (missing or different rows: run reconcile --deep --repair; extra rows are the server's own, never deleted)`,
    );
}

/** The deep check, printed; with `repair` and a difference, the repair and the second check (the one returned). */
export async function deepReconcile(
  ctx: CollectorContext,
  options: DeepOptions & { print?: boolean },
): Promise<{ result: DeepResult; first?: DeepResult }> {
  const print = options.print !== false;
  const first = await checkOnce(ctx, options, options.repair === true);
  if (print) printDeep(ctx, first, `reconcile --deep since ${options.since ?? "the beginning"}`);
  if (!options.repair || first.passed) return { result: first };
  const second = { ...(await checkOnce(ctx, options, false)), repaired: true };
  if (print) printDeep(ctx, second, "reconcile --deep after the repair");
  return { result: second, first };
}
