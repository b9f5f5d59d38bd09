// Step 5: does the server hold the snapshot? Row counts per table (delta =
// server − snapshot: positive means the server has rows the snapshot does
// not), then a seeded random sample of rows per table compared field by
// field with what the server returns: through cutover.rowsByKeys for every
// table and, for posts, also through GET /api/v1/posts/{statusId}.
import { syncTableNames, syncTables, type SyncTable } from "~/shared/schemas/tables";
import type { ServerClient } from "../uplink/server-client";
import { seededRandom } from "~/shared/random";
import { contentOf, diffFields, newerOnServer, parseLocalItem, postViewToItem, type FieldDiff } from "./compare";
import { openSnapshot, snapshotCount } from "./export";
import { rowToItem } from "../store/items";
import { fetchServerRows } from "./server-rows";
import { findExtraOnServer, type ExtraOnServer } from "./extra-keys";

export const DELTA_CONVENTION = "delta = server − snapshot";
const MAX_MISMATCHES_LISTED = 50;

export type CountRow = {
  table: SyncTable;
  sqlite: string;
  server: string;
  snapshot: number;
  serverCount: number;
  ignored: number;
  delta: number;
};
export type Mismatch = { key: string; via: "trpc" | "rest"; fields: FieldDiff[] };
export type SpotCheckTable = {
  table: SyncTable;
  sampled: number;
  checked: number;
  missing: number;
  missingKeys: string[];
  mismatches: number;
  /**
   * Shared rows (posts, embeddings) another collector has since pushed a
   * newer version of: the server holds that one, so they are not mismatches.
   */
  newerOnServer: number;
  differing: Mismatch[];
};
export type ValidateResult = {
  convention: typeof DELTA_CONVENTION;
  snapshot: string;
  checkedAt: string;
  /** Each ignored run, and the server-only reports that cite it (ignored with it). */
  ignoredRuns: { runId: string; inSnapshot: boolean; onServer: boolean; serverOnlyReports: number }[];
  notes: string[];
  counts: CountRow[];
  /** Rows on the server the snapshot lacks, by key, for each table counted higher on the server. */
  extraOnServer: ExtraOnServer[];
  spotCheck: { sample: number; seed: string; tables: SpotCheckTable[] };
  passed: boolean;
};

/** Distinct indexes in [0, total), `n` of them, the same for the same seed (Floyd's algorithm). */
export function sampleIndexes(total: number, n: number, seed: string): number[] {
  const random = seededRandom(seed);
  const picked = new Set<number>();
  for (let j = total - Math.min(n, total); j < total; j++) {
    const t = random.int(0, j);
    picked.add(picked.has(t) ? j : t);
  }
  return [...picked].sort((a, b) => a - b);
}

export async function validateCutover(options: {
  snapshot: string;
  api: ServerClient;
  /** The snapshot's collector: the server's rows of this collector are compared (docs/decisions/012). */
  collector: string;
  sample: number;
  seed: string;
  ignoreRuns?: readonly string[];
  now: () => Date;
  onTable?: (table: SpotCheckTable) => void;
}): Promise<ValidateResult> {
  const snapshot = openSnapshot(options.snapshot);
  try {
    const server = await options.api.reconcileCounts(undefined, options.collector);

    // A run the operator names is taken out of both sides of the comparison.
    const ignoredRuns: ValidateResult["ignoredRuns"] = [];
    const ignoreIds = [...new Set(options.ignoreRuns ?? [])];
    const serverRuns = ignoreIds.length
      ? await fetchServerRows(options.api, "pipelineRuns", ignoreIds, options.collector)
      : new Map<string, Record<string, unknown>>();
    const inSnapshot = (sqlite: string, key: string, value: string) =>
      snapshot.has(sqlite) && snapshot.db.prepare(`select 1 from ${sqlite} where ${key} = ?`).get(value) !== undefined;
    for (const runId of ignoreIds) {
      const onServer = serverRuns.has(runId);
      // Its dependants: reports citing it that exist only on the server.
      const reports = onServer ? ((await options.api.reportsOfRun(runId, options.collector)) ?? []) : [];
      const serverOnlyReports = reports.filter((id) => !inSnapshot("reports", "report_id", id)).length;
      ignoredRuns.push({ runId, inSnapshot: inSnapshot("runs", "run_id", runId), onServer, serverOnlyReports });
    }
    const notes = ignoreIds.length
      ? ["posts citing an ignored run stay counted: the server API lists no posts by run_id"]
      : [];

    const counts: CountRow[] = syncTableNames.map((table) => {
      const local = snapshotCount(snapshot, table);
      const serverCount = server.tables[table].total;
      const ignoredServer =
        table === "pipelineRuns"
          ? ignoredRuns.filter((r) => r.onServer).length
          : table === "reports"
            ? ignoredRuns.reduce((n, r) => n + r.serverOnlyReports, 0)
            : 0;
      const ignoredLocal = table === "pipelineRuns" ? ignoredRuns.filter((r) => r.inSnapshot).length : 0;
      return {
        table,
        sqlite: syncTables[table].sqlite,
        server: syncTables[table].server,
        snapshot: local - ignoredLocal,
        serverCount: serverCount - ignoredServer,
        ignored: ignoredServer,
        delta: serverCount - ignoredServer - (local - ignoredLocal),
      };
    });

    const extraOnServer = await findExtraOnServer({
      api: options.api,
      snapshot,
      tables: counts.filter((c) => c.delta > 0).map((c) => c.table),
      ignore: ignoreIds,
      collector: options.collector,
    });

    const tables: SpotCheckTable[] = [];
    for (const table of syncTableNames) {
      const { sqlite, key } = syncTables[table];
      const total = snapshotCount(snapshot, table);
      const pick = snapshot.has(sqlite)
        ? snapshot.db.prepare(`select * from ${sqlite} order by ${key} limit 1 offset ?`)
        : undefined;
      const locals = new Map<string, Record<string, unknown>>();
      for (const index of sampleIndexes(total, options.sample, `${options.seed}:${table}`)) {
        const row = pick?.get(index) as Record<string, unknown> | undefined;
        if (!row) continue;
        const k = String(row[key]);
        if (ignoreIds.includes(k) && table === "pipelineRuns") continue;
        locals.set(k, parseLocalItem(table, rowToItem(table, row)).item);
      }
      const serverRows = await fetchServerRows(options.api, table, [...locals.keys()], options.collector);
      const check: SpotCheckTable = {
        table,
        sampled: locals.size,
        checked: 0,
        missing: 0,
        missingKeys: [],
        mismatches: 0,
        newerOnServer: 0,
        differing: [],
      };
      for (const [k, local] of locals) {
        const viaTrpc = serverRows.get(k);
        const restView = table === "posts" ? await options.api.postViewRest(k) : undefined;
        const viaRest = restView ? postViewToItem(restView) : restView;
        check.checked++;
        if (!viaTrpc || viaRest === null) {
          check.missing++;
          check.missingKeys.push(k);
          continue;
        }
        if (newerOnServer(table, local, viaTrpc)) {
          check.newerOnServer++;
          continue;
        }
        const found: Mismatch[] = [];
        const compared = contentOf(table, local);
        const trpcDiff = diffFields(compared, viaTrpc);
        if (trpcDiff.length) found.push({ key: k, via: "trpc", fields: trpcDiff });
        if (viaRest) {
          const restDiff = diffFields(compared, viaRest);
          if (restDiff.length) found.push({ key: k, via: "rest", fields: restDiff });
        }
        if (found.length) {
          check.mismatches++;
          if (check.differing.length < MAX_MISMATCHES_LISTED) check.differing.push(...found);
        }
      }
      check.missingKeys = check.missingKeys.slice(0, MAX_MISMATCHES_LISTED);
      tables.push(check);
      options.onTable?.(check);
    }

    const passed = counts.every((c) => c.delta === 0) && tables.every((t) => t.missing === 0 && t.mismatches === 0);
    return {
      convention: DELTA_CONVENTION,
      snapshot: options.snapshot,
      checkedAt: options.now().toISOString(),
      ignoredRuns,
      notes,
      counts,
      extraOnServer,
      spotCheck: { sample: options.sample, seed: options.seed, tables },
      passed,
    };
  } finally {
    snapshot.db.close();
  }
}
