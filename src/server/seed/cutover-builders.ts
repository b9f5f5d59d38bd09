// The demo cutover's steps in the shape the collector records them (the
// shared figure types of src/shared/schemas/cutover-figures.ts): the export
// by SQLite table, two import passes (ingest key, then an admin key for the
// tables the ingest key may not write) with reject reasons by table, and
// validate reports in the order they ran (server − snapshot).
import type { CutoverStep } from "~/shared/schemas/cutover";
import type { ExportFigures, ImportFigures, ValidateFigures } from "~/shared/schemas/cutover-figures";
import { syncTableNames, syncTables, type SyncTable } from "~/shared/schemas/tables";
import type { Random } from "../../shared/random";

/** Tables an ingest key may not write: pass 1 rejects them, pass 2 (admin key) lands them. */
const ADMIN_TABLES: ReadonlySet<SyncTable> = new Set(["watchAccounts", "embeddings"]);

export type DemoCutoverStory = {
  /** Rows per table in the snapshot (the server's counts once the cutover landed). */
  rows: Record<SyncTable, number>;
  dataDir: string;
  stamp: string;
  startedAt: number;
  /** A validate fails with posts missing on the server, and the cutover stops there. */
  failValidation?: boolean;
  /** A synthetic run on the server makes the first validate fail (runs +1); it is removed, then validate passes. */
  syntheticRun?: boolean;
};

const hex = (r: Random, n: number) => Array.from({ length: n }, () => r.int(0, 15).toString(16)).join("");

function validateStep(
  story: DemoCutoverStory,
  options: { at: (s: number) => string; from: number; report: string; extra?: Partial<Record<SyncTable, number>> },
): CutoverStep {
  const extra = options.extra ?? {};
  const counts = Object.fromEntries(
    syncTableNames.map((t) => {
      const snapshot = story.rows[t];
      const delta = extra[t] ?? 0;
      return [syncTables[t].sqlite, { snapshot, server: snapshot + delta, delta }];
    }),
  );
  const spot = Object.fromEntries(
    syncTableNames.map((t) => {
      const missing = Math.max(0, -(extra[t] ?? 0));
      return [t, { checked: Math.min(50, story.rows[t]), missing, mismatches: 0, differing: [] }];
    }),
  );
  const figures: ValidateFigures = {
    convention: "delta = server − snapshot",
    deltas: Object.fromEntries(Object.entries(counts).map(([t, c]) => [t, c.delta])),
    counts,
    ignoredRuns: [],
    spotCheck: { sample: 50, tables: spot },
    report: options.report,
  };
  const differing = syncTableNames
    .filter((t) => extra[t])
    .map((t) => `${syncTables[t].sqlite} ${extra[t]! > 0 ? "+" : ""}${extra[t]}`);
  const missing = syncTableNames
    .filter((t) => (extra[t] ?? 0) < 0)
    .map((t) => `${syncTables[t].sqlite} ${-extra[t]!} missing/0 mismatches`);
  const ok = differing.length === 0;
  return {
    step: "validate",
    status: ok ? "succeeded" : "failed",
    startedAt: options.at(options.from),
    finishedAt: options.at(options.from + 13),
    message: ok
      ? "every delta 0, spot check clean"
      : `validate FAIL: ${[...differing, ...missing].join(", ")} (report ${options.report})`,
    figures,
  };
}

export function buildDemoCutoverSteps(r: Random, story: DemoCutoverStory): CutoverStep[] {
  const at = (s: number) => new Date(story.startedAt + s * 1000).toISOString();
  const dir = story.dataDir;
  const snapshot = `${dir}/x_monitor.cutover.${story.stamp}.db`;
  const exportDir = `${dir}/export_cutover_${story.stamp}`;
  const exportFigures: ExportFigures = {
    dir: exportDir,
    snapshot,
    tables: Object.fromEntries(
      syncTableNames.map((t) => [
        syncTables[t].sqlite,
        { rows: story.rows[t], bytes: story.rows[t] * 900, sha256: hex(r, 64) },
      ]),
    ),
  };
  const importPass = (pass: 1 | 2): ImportFigures => {
    const role = pass === 1 ? "ingest" : "admin";
    const tables = Object.fromEntries(
      syncTableNames.map((t) => {
        const n = story.rows[t];
        const admin = ADMIN_TABLES.has(t);
        const counts =
          pass === 1
            ? { inserted: admin ? 0 : n, updated: 0, unchanged: 0, rejected: admin ? n : 0 }
            : { inserted: admin ? n : 0, updated: 0, unchanged: admin ? 0 : n, rejected: 0 };
        return [syncTables[t].server, { ...counts, rows: n }];
      }),
    );
    const rejected = Object.values(tables).reduce((sum, t) => sum + t.rejected, 0);
    return {
      pass,
      dryRun: false,
      role,
      keyPrefix: `xm_${role}_${hex(r, 6)}`,
      resumed: false,
      tables,
      rejected,
      rejectLog: `${dir}/import_rejects_cutover_${pass === 1 ? "" : "admin_"}${story.stamp}.ndjson`,
      rejectReasons: Object.fromEntries(
        syncTableNames
          .filter((t) => pass === 1 && ADMIN_TABLES.has(t) && story.rows[t] > 0)
          .map((t) => [
            syncTables[t].server,
            { [`permission denied for table ${syncTables[t].server}`]: story.rows[t] },
          ]),
      ),
      batches: Math.ceil(syncTableNames.reduce((sum, t) => sum + story.rows[t], 0) / 500),
      replayedBatches: 0,
    };
  };
  const pass1 = importPass(1);
  const steps: CutoverStep[] = [
    {
      step: "freeze",
      status: "succeeded",
      startedAt: at(0),
      finishedAt: at(1),
      message: "frozen, no run in progress",
      figures: { frozenSince: at(0), reason: "cutover", waitedMs: 412 },
    },
    {
      step: "snapshot",
      status: "succeeded",
      startedAt: at(1),
      finishedAt: at(4),
      message: "integrity_check ok",
      figures: {
        path: snapshot,
        source: `${dir}/x_monitor.db`,
        bytes: 48_627_712,
        pages: 11_872,
        integrityCheck: "ok",
      },
    },
    {
      step: "export",
      status: "succeeded",
      startedAt: at(4),
      finishedAt: at(19),
      message: `exported to ${exportDir}`,
      figures: exportFigures,
    },
    {
      step: "import",
      pass: 1,
      status: "succeeded",
      startedAt: at(19),
      finishedAt: at(81),
      message: `pass 1: ${pass1.rejected} rows rejected, all in ${pass1.rejectLog}; import again with a key that may write them`,
      figures: pass1,
    },
    {
      step: "import",
      pass: 2,
      status: "succeeded",
      startedAt: at(81),
      finishedAt: at(97),
      message: "pass 2: 0 rows rejected",
      figures: importPass(2),
    },
  ];
  const report = (name: string) => `${dir}/${name}_${story.stamp}.json`;
  if (story.failValidation) {
    steps.push(validateStep(story, { at, from: 97, report: report("validate_cutover"), extra: { posts: -2 } }));
    return steps;
  }
  if (story.syntheticRun) {
    steps.push(validateStep(story, { at, from: 97, report: report("validate_cutover"), extra: { pipelineRuns: 1 } }));
    steps.push(validateStep(story, { at, from: 140, report: report("validate_cutover_post_cleanup") }));
  } else {
    steps.push(validateStep(story, { at, from: 97, report: report("validate_cutover") }));
  }
  steps.push({
    step: "restore",
    status: "succeeded",
    startedAt: at(160),
    finishedAt: at(161),
    message: "unfrozen",
    figures: { unfrozen: true, canary: {} },
  });
  return steps;
}
