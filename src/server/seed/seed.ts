// Demo data: a few days of two collectors running in both modes, pushed
// through the real ingest service, so the console's first screen shows what
// production looks like (including a collector that is failing).
import type { Db } from "../db";
import { systemPrincipal } from "../auth/principal";
import { pushIngestBatch } from "../ingest/push-ingest-batch";
import { reportIngestFailure } from "../ingest/report-failure";
import type { PostItem } from "~/shared/schemas/items";
import {
  buildEmbedding,
  buildNarrativeShift,
  buildPost,
  buildReport,
  buildRun,
  buildWatchAccount,
  buildWindowSummary,
  demoHandles,
} from "./builders";
import { backdateDemoIngest, seedCutoverRun, seedReconcileHistory, seedRefreshRuns } from "./console-demo";
import { randomFromState } from "../../shared/random";

const seedPrincipal = systemPrincipal("seed");

export type SeedOptions = { days?: number; now?: number; seed?: number; log?: (line: string) => void };

export async function seedDemoData(db: Db, options: SeedOptions = {}) {
  const r = randomFromState(options.seed ?? 20261128);
  const now = options.now ?? Date.now();
  const days = options.days ?? 3;
  const start = now - days * 86_400_000;
  const collector = "ops-laptop";
  let statusCounter = 1_860_000_000_000_000_000n + BigInt(Math.floor(start / 1000));
  const nextStatusId = () => String((statusCounter += BigInt(r.int(1_000, 900_000))));

  const accounts = demoHandles.map((handle, i) =>
    buildWatchAccount(r, handle, i < 6 ? "priority" : "discovery", start - 86_400_000),
  );
  await pushIngestBatch(db, {
    principal: seedPrincipal,
    input: { idempotencyKey: `seed:${collector}:accounts`, collector, mode: "manual", watchAccounts: accounts },
  });

  const allPosts: { post: PostItem; mode: string }[] = [];
  let runs = 0;
  for (const mode of ["priority", "discovery"] as const) {
    const every = mode === "priority" ? 30 * 60_000 : 60 * 60_000;
    for (let at = start; at < now; at += every) {
      const runId = r.uuid();
      const failed = r.chance(0.04);
      const handles = mode === "priority" ? demoHandles.slice(0, 6) : demoHandles.slice(6);
      const posts = failed
        ? []
        : Array.from({ length: r.int(0, mode === "priority" ? 5 : 9) }, () => {
            const createdAt = at - r.int(60_000, every);
            return buildPost(r, {
              statusId: nextStatusId(),
              handle: r.pick(handles),
              createdAt,
              collectedAt: at + r.int(1_000, 20_000),
              mode,
              runId,
            });
          });
      const run = buildRun({
        runId,
        mode,
        runAt: at,
        durationMs: r.int(4_000, 45_000),
        status: failed ? "failed" : "success",
        fetched: posts.length + r.int(0, 30),
        created: posts.length,
        error: failed ? "X API returned 503 Service Unavailable after 3 attempts" : null,
      });
      const report = buildReport(r, { runId, mode, at: at + 50_000, posts });
      await pushIngestBatch(db, {
        principal: seedPrincipal,
        input: {
          idempotencyKey: `seed:${collector}:${runId}`,
          collector,
          runId,
          mode,
          since: new Date(at - 900_000).toISOString(),
          lookbackSeconds: 900,
          maxAttempts: 4,
          posts,
          reports: [report],
          pipelineRuns: [run],
          embeddings: posts.map((p) => buildEmbedding(r, p, 64)),
        },
      });
      allPosts.push(...posts.map((post) => ({ post, mode })));
      runs++;
    }
  }

  // Six-hour windows per mode, with an occasional narrative shift.
  const windows = [];
  const shifts = [];
  for (const mode of ["priority", "discovery"]) {
    for (let w = start - (start % 21_600_000); w + 21_600_000 <= now; w += 21_600_000) {
      const inWindow = allPosts
        .filter(
          (p) =>
            p.mode === mode && Date.parse(p.post.collected_at) >= w && Date.parse(p.post.collected_at) < w + 21_600_000,
        )
        .map((p) => p.post);
      const summary = buildWindowSummary({ mode, start: w, hours: 6, posts: inWindow });
      windows.push(summary);
      if (inWindow.length > 3 && r.chance(0.3))
        shifts.push(
          buildNarrativeShift(r, { windowId: summary.window_id, at: Date.parse(summary.window_end), posts: inWindow }),
        );
    }
  }
  await pushIngestBatch(db, {
    principal: seedPrincipal,
    input: {
      idempotencyKey: `seed:${collector}:windows`,
      collector,
      mode: "manual",
      windowSummaries: windows,
      narrativeShifts: shifts,
    },
  });

  await seedRefreshRuns(db, {
    collector,
    now,
    days,
    posts: allPosts.filter((p) => p.mode === "priority").map((p) => p.post),
  });

  // Two outages of the main collector, long since over: two failed cycles a
  // day and a half ago, three the evening before; each time the next run's
  // ingest reset the streak.
  for (const [hoursAgo, failures] of [
    [30, 2],
    [20, 3],
  ] as const) {
    for (let attempt = 1; attempt <= failures; attempt++) {
      await reportIngestFailure(db, {
        principal: seedPrincipal,
        input: {
          collector,
          mode: "priority",
          error: "server answered 503: The database is unavailable right now; retry in a few seconds.",
          attempts: 4,
          occurredAt: new Date(now - (hoursAgo - attempt * 0.25) * 3_600_000).toISOString(),
        },
      });
    }
    await db.collectorHealth.update({
      where: { collector_mode: { collector, mode: "priority" } },
      // backdateDemoIngest below moves it back to the newest batch's time.
      data: { consecutiveFailures: 0, lastSuccessAt: new Date(now) },
    });
  }

  // A second collector whose last two ingest cycles failed: the console shows it in alert.
  for (const attempt of [1, 2]) {
    await reportIngestFailure(db, {
      principal: seedPrincipal,
      input: {
        collector: "ops-mac-mini",
        mode: "discovery",
        error: "connect ECONNREFUSED 10.0.0.12:443",
        attempts: 4,
        occurredAt: new Date(now - (3 - attempt) * 3_600_000).toISOString(),
      },
    });
  }
  await db.collectorHealth.upsert({
    where: { collector_mode: { collector: "ops-mac-mini", mode: "priority" } },
    create: {
      collector: "ops-mac-mini",
      mode: "priority",
      consecutiveFailures: 0,
      lastSuccessAt: new Date(now - 600_000),
    },
    update: {},
  });

  // History for the console: batches at their runs' times, a daily reconcile
  // (one failed day) for each collector, and the cutovers that moved them in.
  await backdateDemoIngest(db);
  await seedReconcileHistory(db, { collector, now, days, failOnDaysAgo: [1] });
  await seedReconcileHistory(db, { collector: "ops-mac-mini", now, days: 0, failOnDaysAgo: [0] });
  await seedCutoverRun(db, {
    collector: "ops-mac-mini",
    operator: "dana",
    label: "ops-mac-mini first attempt",
    startedAt: start - 3 * 3_600_000,
    failValidation: true,
  });
  await seedCutoverRun(db, {
    collector,
    operator: "dana",
    label: `${collector} into central`,
    startedAt: start - 3_600_000,
  });

  const summary = {
    accounts: accounts.length,
    runs,
    posts: allPosts.length,
    windows: windows.length,
    shifts: shifts.length,
  };
  options.log?.(
    `seeded ${summary.accounts} accounts, ${summary.runs} runs, ${summary.posts} posts, ${summary.windows} window summaries, ${summary.shifts} narrative shifts`,
  );
  return summary;
}

/** Seeds only a database with no posts and no runs; returns whether it did. */
export async function seedIfEmpty(db: Db, options: SeedOptions = {}): Promise<boolean> {
  const [posts, runs] = await Promise.all([db.post.count(), db.pipelineRun.count()]);
  if (posts > 0 || runs > 0) return false;
  await seedDemoData(db, options);
  return true;
}

/**
 * Whether `npm start` seeds an empty database: as configured, or by default
 * only the embedded one (a DATABASE_URL database is where real data goes;
 * demo rows there would be counted by reconcile and mixed into a cutover).
 */
export function seedsOnStart(setting: boolean | undefined, source: "DATABASE_URL" | "embedded"): boolean {
  return setting ?? source === "embedded";
}
