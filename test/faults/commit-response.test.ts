// Fault injection: a crash between commit and response. The collector runs
// back to back against the real app through a loopback proxy that lets the
// app commit and answer, then drops the answer (destroys the client's
// socket) for every few fresh commits, and for some SIGKILLs the app right
// after it answered, then restarts it. The collector's retry sends the same
// batch under the same idempotency key: it must get the original result
// (same batch id, same counts, marked replayed) and write nothing again.
// Afterwards every local row is on the server once, with the same fields,
// and the counts the collector was told add up to the rows the server holds.
//
// Short form in the default suite; FAULTS=full (npm run test:faults) runs
// more runs, drops and kills.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, expect, it } from "vitest";
import { syncTableNames, type SyncTable } from "~/shared/schemas/tables";
import { parseCollectorEnv } from "~/collector/config";
import { createCollectorContext } from "~/collector/context";
import { accountsAdd } from "~/collector/commands/accounts";
import { runCommand } from "~/collector/commands/run";
import { createTrpcCalls } from "~/collector/uplink/server-calls";
import { createMemoryLog } from "~/collector/log";
import { writeReplayFile, REPLAY_ACCOUNTS } from "~/collector/sources/replay-generator";
import { canonicalJson } from "~/shared/canonical-json";
import { seededRandom } from "~/shared/random";
import { createTestDatabase, type TestDatabase } from "../support/database";
import { principalFor } from "../support/fixtures";
import { freePort, startAppServer, type AppServer } from "../support/app-server";
import { ingestPushOf, startFaultProxy, type Exchange, type FaultProxy } from "../support/fault-proxy";
import { compareWithServer, serverCount } from "../support/server-compare";
import { recordFaultFigures } from "./summary";
import { collectorFiles } from "../support/collector-env";

const FULL = process.env.FAULTS === "full";
const RUNS = FULL ? 90 : 12;
/** Every DROP_EVERY-th fresh commit's answer is dropped. */
const DROP_EVERY = 4;
/** Fresh commits after which the app is SIGKILLed (and the answer lost). */
const KILL_AT = FULL ? [9, 70, 140, 210, 280, 350] : [9];

let t: TestDatabase;
let dir: string;
let port: number;
let key: string;
let proxy: FaultProxy;
let app: AppServer | null = null;
const apps: AppServer[] = [];
/** The app's port, or a promise for it while the app restarts (the proxy holds requests meanwhile). */
let upstream: number | Promise<number>;

const appEnv = { RATE_LIMIT_PER_MINUTE: "100000" };

beforeAll(async () => {
  t = await createTestDatabase();
  key = (await principalFor(t.db, "admin")).key;
  dir = mkdtempSync(path.join(tmpdir(), "xm-faults-commit-"));
  port = await freePort();
  app = await startAppServer({ databaseUrl: t.url, port, env: appEnv, captureOutput: true });
  apps.push(app);
  upstream = port;
}, 180_000);

afterAll(async () => {
  await proxy?.close();
  await Promise.resolve(upstream).catch(() => undefined);
  await app?.stop();
  await t?.drop();
  rmSync(dir, { recursive: true, force: true });
});

it(
  `every answer lost after a commit is resolved by the retry's idempotency key (${RUNS} runs)`,
  async () => {
    const startedAt = Date.now();
    const random = seededRandom(707);
    const start = Date.parse("2026-11-20T00:00:00Z");
    const stepMs = 10 * 60_000;
    await writeReplayFile({
      file: path.join(dir, "replay.jsonl"),
      seed: 17,
      count: RUNS * 8,
      start: new Date(start).toISOString(),
      end: new Date(start + RUNS * stepMs).toISOString(),
    });

    let freshCommits = 0;
    const dropped: Exchange[] = [];
    let kills = 0;
    proxy = await startFaultProxy({
      upstream: () => upstream,
      onResponse: (exchange) => {
        const push = ingestPushOf(exchange);
        // Only a fresh commit (not a replay, not an error) is a commit whose answer can be lost.
        if (!push?.result || push.result.replayed !== false) return "relay";
        freshCommits++;
        if (KILL_AT.includes(freshCommits) && app) {
          // The answer exists, the commit is done: the app dies before relaying it.
          const down = app;
          app = null;
          down.child.kill("SIGKILL");
          kills++;
          upstream = (async () => {
            await new Promise<void>((r) =>
              down.child.exitCode !== null || down.child.signalCode !== null ? r() : down.child.once("exit", () => r()),
            );
            app = await startAppServer({
              databaseUrl: t.url,
              port,
              env: appEnv,
              captureOutput: true,
              assumeBuilt: true,
            });
            apps.push(app);
            return port;
          })();
          dropped.push(exchange);
          return "drop";
        }
        if (freshCommits % DROP_EVERY === 0) {
          dropped.push(exchange);
          return "drop";
        }
        return "relay";
      },
    });

    let clock = new Date(start);
    const log = createMemoryLog();
    const ctx = createCollectorContext(
      parseCollectorEnv({
        ...collectorFiles(dir),
        XMONITOR_API_BASE_URL: proxy.baseUrl,
        XMONITOR_API_KEY: key,
        XMONITOR_COLLECTOR_NAME: "commit-box",
        XMONITOR_INGEST_MAX_ATTEMPTS: "5",
        XMONITOR_INGEST_INITIAL_BACKOFF_SECONDS: "0.05",
        XMONITOR_INGEST_BATCH_SIZE: "20",
      }),
      { log, now: () => clock },
    );
    for (const account of REPLAY_ACCOUNTS)
      accountsAdd(ctx, { handle: account.username, tier: random.next() < 0.6 ? "priority" : "discovery" });

    // What the collector was told, summed over every run: the replays must carry the original counts.
    const told = Object.fromEntries(
      syncTableNames.map((tn) => [tn, { inserted: 0, updated: 0, unchanged: 0, rejected: 0 }]),
    ) as Record<SyncTable, Record<"inserted" | "updated" | "unchanged" | "rejected", number>>;
    let failedCycles = 0;
    for (let i = 0; i < RUNS; i++) {
      clock = new Date(start + (i + 1) * stepMs);
      const result = await runCommand(ctx, { mode: i % 3 === 2 ? "discovery" : "priority" });
      if (!result.ingest?.ok) {
        failedCycles++;
        continue;
      }
      for (const tn of syncTableNames)
        for (const f of ["inserted", "updated", "unchanged", "rejected"] as const)
          told[tn][f] += result.ingest.totals.tables[tn][f];
    }
    await upstream;

    // Each lost answer: the next answer under the same key is the original result, replayed.
    const pushes = proxy.exchanges.flatMap((e) => {
      const push = ingestPushOf(e);
      return push ? [{ exchange: e, ...push }] : [];
    });
    let resolved = 0;
    let unresolved = 0;
    let rewritten = 0;
    let differing = 0;
    const problems: string[] = [];
    for (const lost of dropped) {
      const original = ingestPushOf(lost)!;
      const retry = pushes.find(
        (p) => p.exchange.seq > lost.seq && p.key === original.key && p.exchange.outcome === "relayed" && p.result,
      );
      if (!retry) {
        unresolved++;
        problems.push(`${original.key}: no later answer reached the client`);
        continue;
      }
      resolved++;
      if (retry.result!.replayed !== true) {
        rewritten++;
        problems.push(`${original.key}: the retry was written again (replayed=${String(retry.result!.replayed)})`);
      }
      if (canonicalJson({ ...retry.result, replayed: false }) !== canonicalJson(original.result)) {
        differing++;
        problems.push(
          `${original.key}: the retry's result differs from the original: ${JSON.stringify(retry.result)} vs ${JSON.stringify(original.result)}`,
        );
      }
    }
    // The server's own record of each lost batch is the original result.
    const stored = await t.db.ingestBatch.findMany({
      where: { idempotencyKey: { in: dropped.map((d) => ingestPushOf(d)!.key) } },
      select: { idempotencyKey: true, result: true },
    });
    const storedByKey = new Map(stored.map((s) => [s.idempotencyKey, s.result]));
    for (const lost of dropped) {
      const original = ingestPushOf(lost)!;
      if (canonicalJson(storedByKey.get(original.key)) !== canonicalJson(original.result))
        problems.push(`${original.key}: stored result differs from the answer the app produced`);
    }
    // One batch record per key that was ever answered 200, and no other.
    const answeredKeys = new Set(pushes.filter((p) => p.result).map((p) => p.key));
    const batchKeys = (
      await t.db.ingestBatch.findMany({ where: { collector: "commit-box" }, select: { idempotencyKey: true } })
    ).map((b) => b.idempotencyKey);
    expect(new Set(batchKeys)).toEqual(answeredKeys);

    // Key by key, and the counts the collector was told against the rows the server holds.
    const api = createTrpcCalls({ baseUrl: `http://127.0.0.1:${port}`, apiKey: key });
    let rows = 0;
    let missing = 0;
    let mismatched = 0;
    let extra = 0;
    const countProblems: string[] = [];
    for (const table of syncTableNames) {
      const local = [...ctx.store.readChangedSince(table, undefined)] as Record<string, unknown>[];
      const comparison = await compareWithServer(api, table, local);
      rows += comparison.rows;
      missing += comparison.missing;
      mismatched += comparison.mismatched;
      problems.push(...comparison.examples);
      const onServer = await serverCount(t.db, table);
      extra += onServer - local.length;
      if (told[table].inserted !== onServer)
        countProblems.push(`${table}: told inserted ${told[table].inserted}, server holds ${onServer}`);
      if (told[table].rejected !== 0) countProblems.push(`${table}: ${told[table].rejected} rejected`);
    }

    const statuses = proxy.exchanges.map((e) => e.status ?? 0);
    const fiveXx = statuses.filter((s) => s >= 500).length;
    const fiveOhThree = statuses.filter((s) => s === 503).length;
    const appErrors = apps
      .flatMap((a) => a.output().split("\n"))
      .filter((l) => /procedure failed|deadlock|40P01|40001|could not serialize/i.test(l));
    const upstreamFailures = proxy.exchanges.filter((e) => e.outcome === "upstream-failed").length;

    console.log(
      [
        `commit/response faults: ${dropped.length - kills} answers dropped after commit, ${kills} app SIGKILLs after commit (${upstreamFailures} other requests cut by the kills) over ${RUNS} runs, ${freshCommits} fresh commits`,
        `retries resolved: ${resolved}/${dropped.length} (rewritten ${rewritten}, differing ${differing}); failed cycles ${failedCycles}; 5xx ${fiveXx}`,
        `rows compared: ${rows}, missing ${missing}, mismatched ${mismatched}, extra on server ${extra}`,
      ].join("\n"),
    );
    recordFaultFigures({
      order: 2,
      scenario: "crash between commit and answer",
      faults: dropped.length,
      faultDetail: `${dropped.length - kills} answers dropped after commit, ${kills} app SIGKILL${kills === 1 ? "" : "s"} right after commit`,
      runs: RUNS,
      rows,
      lost: missing + mismatched,
      duplicated: rewritten + Math.max(0, extra),
      fiveXx,
      fiveOhThree,
      seconds: Math.round((Date.now() - startedAt) / 1000),
    });

    expect(kills).toBe(KILL_AT.length);
    expect(dropped.length - kills).toBeGreaterThanOrEqual(Math.floor(RUNS / 2));
    expect(problems).toEqual([]);
    expect({ resolved, unresolved, rewritten, differing }).toEqual({
      resolved: dropped.length,
      unresolved: 0,
      rewritten: 0,
      differing: 0,
    });
    expect(countProblems).toEqual([]);
    expect({ missing, mismatched, extra }).toEqual({ missing: 0, mismatched: 0, extra: 0 });
    expect(failedCycles).toBe(0);
    expect(fiveXx).toBe(0);
    expect(appErrors).toEqual([]);
    ctx.store.close();
  },
  FULL ? 900_000 : 240_000,
);
