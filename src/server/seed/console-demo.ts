// Demo history for the console's reconcile, cutover and health pages, added
// after the demo ingest. Built from the real rows so the figures agree with
// what the database holds.
import type { Prisma } from "~/generated/prisma/client";
import { syncTableNames, type SyncTable } from "~/shared/schemas/tables";
import { systemPrincipal } from "../auth/principal";
import type { Db } from "../db";
import { reconcileCounts } from "../reconcile/reconcile-counts";
import { recordReconcileResult } from "../reconcile/reconcile-results";
import { seededRandom } from "../../shared/random";
import type { PostItem } from "~/shared/schemas/items";
import { pushIngestBatch } from "../ingest/push-ingest-batch";
import { buildRun, iso } from "./builders";
import { buildDemoCutoverSteps } from "./cutover-builders";

/**
 * The demo pushes days of runs in a few seconds, so every batch would show as
 * received "now". Put each run's batch (and the rows it first delivered) at
 * the time the run really finished, as a live collector would have.
 */
export async function backdateDemoIngest(db: Db): Promise<void> {
  await db.$executeRaw`
    update ingest_batches b
    set received_at = coalesce(r.finished_at, r.run_at) + interval '2 seconds',
        finished_at = coalesce(r.finished_at, r.run_at) + interval '3 seconds'
    from pipeline_runs r where b.run_id = r.run_id`;
  for (const table of ["posts", "reports", "embeddings"] as const) {
    await db.$executeRawUnsafe(`
      update "${table}" t set ingested_at = coalesce(r.finished_at, r.run_at) + interval '2 seconds', updated_at = coalesce(r.finished_at, r.run_at) + interval '2 seconds'
      from pipeline_runs r where r.run_id = ${table === "embeddings" ? "(select p.run_id from posts p where p.status_id = t.status_id)" : "t.run_id"}`);
  }
  await db.$executeRaw`
    update pipeline_runs set ingested_at = coalesce(finished_at, run_at) + interval '2 seconds', updated_at = coalesce(finished_at, run_at) + interval '2 seconds'`;
  await db.$executeRaw`
    update collector_health h set last_success_at = s.last
    from (select collector, mode, max(received_at) as last from ingest_batches group by 1, 2) s
    where h.collector = s.collector and h.mode = s.mode and h.consecutive_failures = 0 and h.last_success_at > s.last`;
}

/** One reconcile per day at 10:10 UTC (05:10 in New York), passing except one day with missing posts and reports. */
export async function seedReconcileHistory(
  db: Db,
  options: { collector: string; now: number; days: number; failOnDaysAgo?: number[] },
) {
  const fail = new Set(options.failOnDaysAgo ?? []);
  const at0510 = (10 * 60 + 10) * 60_000;
  // The latest 10:10 UTC at or before now.
  const today = Math.floor((options.now - at0510) / 86_400_000) * 86_400_000 + at0510;
  for (let daysAgo = options.days; daysAgo >= 0; daysAgo--) {
    const checkedAt = today - daysAgo * 86_400_000;
    const since = checkedAt - 86_400_000;
    const counts = await reconcileCounts(db, { since: iso(since) });
    const missing: Partial<Record<SyncTable, number>> = fail.has(daysAgo) ? { posts: 3, reports: 1 } : {};
    const tables = Object.fromEntries(
      syncTableNames.map((table) => {
        const server = counts.tables[table].since;
        const delta = missing[table] ?? 0;
        return [table, { local: server + delta, server, delta }];
      }),
    ) as Record<SyncTable, { local: number; server: number; delta: number }>;
    await recordReconcileResult(db, {
      principal: systemPrincipal("seed"),
      input: {
        collector: options.collector,
        since: iso(since),
        checkedAt: iso(checkedAt),
        passed: !fail.has(daysAgo),
        tables,
      },
    });
  }
}

/** A cutover of `collector`, its steps as the collector records them, with the rows on the server as the snapshot. */
export async function seedCutoverRun(
  db: Db,
  options: { collector: string; operator: string; label: string; startedAt: number; failValidation?: boolean },
) {
  const counts = await reconcileCounts(db, {});
  const rows = Object.fromEntries(syncTableNames.map((t) => [t, counts.tables[t].total])) as Record<SyncTable, number>;
  const stamp = iso(options.startedAt).slice(0, 19).replace(/[-:]/g, "").replace("T", "_");
  const dataDir = `/Users/${options.operator}/.xmonitor/data`;
  const steps = buildDemoCutoverSteps(seededRandom(options.startedAt), {
    rows,
    dataDir,
    stamp,
    startedAt: options.startedAt,
    ...(options.failValidation ? { failValidation: true } : { syntheticRun: true }),
  });
  const last = steps.at(-1)!;
  const validateReports = steps.flatMap((s) =>
    s.step === "validate" && typeof s.figures.report === "string" ? [s.figures.report] : [],
  );
  return db.cutoverRun.create({
    data: {
      label: options.label,
      collector: options.collector,
      operator: options.operator,
      status: options.failValidation ? "failed" : "succeeded",
      startedAt: new Date(options.startedAt),
      finishedAt: new Date(last.finishedAt ?? last.startedAt),
      steps: steps as unknown as Prisma.InputJsonValue,
      artifacts: {
        stateFile: `${dataDir}/cutover.state.json`,
        snapshot: `${dataDir}/x_monitor.cutover.${stamp}.db`,
        exportDir: `${dataDir}/export_cutover_${stamp}`,
        rejectLogs: [
          `${dataDir}/import_rejects_cutover_${stamp}.ndjson`,
          `${dataDir}/import_rejects_cutover_admin_${stamp}.ndjson`,
        ],
        validateReport: validateReports.at(-1) ?? null,
        validateReports,
      },
    },
    select: { id: true },
  });
}

/**
 * The daily refresh-24h run at 06:00 UTC: the metrics of the last 24 hours'
 * posts fetched again, pushed under its own mode (its own rows on /runs and
 * /health). Its own random sequence, so the rest of the demo stays as it was.
 */
export async function seedRefreshRuns(
  db: Db,
  options: { collector: string; now: number; days: number; posts: PostItem[] },
) {
  const r = seededRandom(`refresh-24h:${options.collector}`);
  const at0600 = 6 * 3_600_000;
  const latest = Math.floor((options.now - at0600) / 86_400_000) * 86_400_000 + at0600;
  for (let daysAgo = options.days - 1; daysAgo >= 0; daysAgo--) {
    const runAt = latest - daysAgo * 86_400_000;
    const runId = r.uuid();
    const posts = options.posts
      .filter((p) => Date.parse(p.collected_at) < runAt && Date.parse(p.collected_at) >= runAt - 86_400_000)
      .map((p) => ({ ...p, like_count: (p.like_count ?? 0) + r.int(1, 400), updated_at: iso(runAt + 20_000) }));
    const run = buildRun({
      runId,
      mode: "refresh-24h",
      runAt,
      durationMs: 25_000,
      status: "success",
      fetched: posts.length,
      created: 0,
    });
    await pushIngestBatch(db, {
      principal: systemPrincipal("seed"),
      input: {
        idempotencyKey: `seed:${options.collector}:${runId}`,
        collector: options.collector,
        runId,
        mode: "refresh-24h",
        since: iso(runAt - 900_000),
        lookbackSeconds: 900,
        maxAttempts: 4,
        posts,
        pipelineRuns: [run],
      },
    });
  }
}
