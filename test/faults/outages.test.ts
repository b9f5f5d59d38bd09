// Fault injection: the collector runs back to back against the real app on
// loopback while a harness SIGKILLs and restarts the app at random moments
// and terminates its PostgreSQL connections under it. Afterwards reconcile
// must PASS on every table and a key-by-key comparison of the SQLite file
// with PostgreSQL must find nothing missing and nothing different.
//
// Short form in the default suite; `npm run test:faults` runs the full set
// (FAULTS=full: 20+ kill/restart cycles over a few hundred runs).
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import pg from "pg";
import { afterAll, beforeAll, expect, it } from "vitest";
import { syncTableNames, syncTables } from "~/shared/schemas/tables";
import { parseCollectorEnv } from "~/collector/config";
import { createCollectorContext } from "~/collector/context";
import { accountsAdd } from "~/collector/commands/accounts";
import { reconcileCommand } from "~/collector/commands/reconcile";
import { runCommand } from "~/collector/commands/run";
import { createMemoryLog } from "~/collector/log";
import { writeReplayFile, REPLAY_ACCOUNTS } from "~/collector/sources/replay-generator";
import { randomFromState } from "../../src/shared/random";
import { createTestDatabase, type TestDatabase } from "../support/database";
import { principalFor } from "../support/fixtures";
import { freePort, startAppServer, type AppServer } from "../support/app-server";
import { recordFaultFigures } from "./summary";
import { collectorFiles } from "../support/collector-env";
import { normaliseStoredValue } from "../support/server-compare";

const FULL = process.env.FAULTS === "full";
const RUNS = FULL ? 300 : 40;
const KILLS = FULL ? 24 : 4;
const TERMINATIONS = FULL ? 12 : 2;

let t: TestDatabase;
let dir: string;
let port: number;
let app: AppServer | null = null;
let key: string;

beforeAll(async () => {
  t = await createTestDatabase();
  key = (await principalFor(t.db, "admin")).key;
  dir = mkdtempSync(path.join(tmpdir(), "xm-faults-"));
  port = await freePort();
  app = await startAppServer({ databaseUrl: t.url, port, env: { RATE_LIMIT_PER_MINUTE: "100000" } });
}, 180_000);

afterAll(async () => {
  await app?.stop();
  await t?.drop();
  rmSync(dir, { recursive: true, force: true });
});

it(
  `loses nothing across ${KILLS} app kills and ${TERMINATIONS} database connection terminations over ${RUNS} runs`,
  async () => {
    const startedAt = Date.now();
    const random = randomFromState(2026);
    const start = Date.parse("2026-11-20T00:00:00Z");
    const stepMs = 10 * 60_000;
    await writeReplayFile({
      file: path.join(dir, "replay.jsonl"),
      seed: 11,
      count: RUNS * 6,
      start: new Date(start).toISOString(),
      end: new Date(start + RUNS * stepMs).toISOString(),
    });
    let clock = new Date(start);
    const log = createMemoryLog();
    const ctx = createCollectorContext(
      parseCollectorEnv({
        ...collectorFiles(dir),
        XMONITOR_API_BASE_URL: `http://127.0.0.1:${port}`,
        XMONITOR_API_KEY: key,
        XMONITOR_COLLECTOR_NAME: "fault-box",
        XMONITOR_INGEST_MAX_ATTEMPTS: "3",
        XMONITOR_INGEST_INITIAL_BACKOFF_SECONDS: "0.05",
        XMONITOR_INGEST_BATCH_SIZE: "40",
      }),
      { log, now: () => clock },
    );
    for (const account of REPLAY_ACCOUNTS)
      accountsAdd(ctx, { handle: account.username, tier: random.next() < 0.5 ? "priority" : "discovery" });

    // Fault schedule: which runs are hit, and how.
    const faultAt = new Map<number, "kill" | "terminate">();
    while ([...faultAt.values()].filter((f) => f === "kill").length < KILLS)
      faultAt.set(1 + Math.floor(random.next() * (RUNS - 2)), "kill");
    while ([...faultAt.values()].filter((f) => f === "terminate").length < TERMINATIONS) {
      const at = 1 + Math.floor(random.next() * (RUNS - 2));
      if (!faultAt.has(at)) faultAt.set(at, "terminate");
    }

    const figures = {
      runs: 0,
      kills: 0,
      terminations: 0,
      failedCycles: 0,
      retries: 0,
      alerts: 0,
      resets: 0,
      fiveHundreds: 0,
      fiveOhThrees: 0,
    };
    // Assigned inside the fault closure; typed explicitly so TS does not narrow it to null.
    let restart = null as Promise<void> | null;
    for (let i = 0; i < RUNS; i++) {
      clock = new Date(start + (i + 1) * stepMs);
      const fault = faultAt.get(i);
      // The fault lands while the run's ingest is in flight: after a random delay.
      const delay = Math.floor(random.next() * 120);
      const injected = fault
        ? (async () => {
            await new Promise((r) => setTimeout(r, delay));
            if (fault === "kill" && app) {
              app.child.kill("SIGKILL");
              figures.kills++;
              const down = app;
              app = null;
              restart = (async () => {
                await new Promise<void>((r) =>
                  down.child.exitCode !== null ? r() : down.child.once("exit", () => r()),
                );
                await new Promise((r) => setTimeout(r, 50 + Math.floor(random.next() * 400)));
                app = await startAppServer({
                  databaseUrl: t.url,
                  port,
                  env: { RATE_LIMIT_PER_MINUTE: "100000" },
                  assumeBuilt: true,
                });
              })();
            } else if (fault === "terminate") {
              const admin = new pg.Client({ connectionString: t.url });
              await admin.connect();
              await admin.query(
                "select pg_terminate_backend(pid) from pg_stat_activity where datname = current_database() and pid <> pg_backend_pid()",
              );
              await admin.end();
              figures.terminations++;
            }
          })()
        : Promise.resolve();
      const mode = i % 3 === 2 ? "discovery" : "priority";
      const result = await runCommand(ctx, { mode });
      await injected;
      if (restart && (i % 2 === 1 || faultAt.has(i + 1))) {
        await restart;
        restart = null;
      }
      figures.runs++;
      if (result.ingest && !result.ingest.ok) figures.failedCycles++;
    }
    if (restart) await restart;

    // One last cycle per mode after the storm: each catches up since its last success.
    clock = new Date(clock.getTime() + stepMs);
    for (const mode of ["priority", "discovery"] as const) {
      const final = await runCommand(ctx, { mode });
      expect(final.exitCode, log.lines.slice(-20).join("\n")).toBe(0);
    }
    for (const line of log.lines) {
      if (line.startsWith("api retry")) figures.retries++;
      if (line.startsWith("ALERT:")) figures.alerts++;
      if (line.startsWith("RECOVERED:")) figures.resets++;
      // One line per answer: a retry line per attempt but the last, the failure line for the last (ALERT repeats it).
      if (line.startsWith("ALERT:")) continue;
      if (/server answered 5\d\d/.test(line) && !/answered 503/.test(line)) figures.fiveHundreds++;
      if (/answered 503/.test(line)) figures.fiveOhThrees++;
    }

    const reconcile = await reconcileCommand(ctx, { record: false });
    const fullReconcile = await reconcileCommand(ctx, { since: "2006-01-01T00:00:00Z", record: false });

    // Key by key: every local row is on the server with the same fields.
    let missing = 0;
    let mismatched = 0;
    let rows = 0;
    const duplicates: { table: string; duplicated: number }[] = [];
    const api = (await import("~/collector/uplink/server-calls")).createTrpcCalls({
      baseUrl: `http://127.0.0.1:${port}`,
      apiKey: key,
    });
    for (const table of syncTableNames) {
      const local = [...ctx.store.readChangedSince(table, undefined)] as Record<string, unknown>[];
      rows += local.length;
      const keyField = syncTables[table].key;
      for (let at = 0; at < local.length; at += 500) {
        const chunk = local.slice(at, at + 500);
        const stored = await api.rowsByKeys({ table, keys: chunk.map((r) => String(r[keyField])) });
        const byKey = new Map(stored.map((r) => [String(r[keyField]), r]));
        for (const item of chunk) {
          const parsed = syncTables[table].schema.parse(item) as Record<string, unknown>;
          const server = byKey.get(String(item[keyField]));
          if (!server) {
            missing++;
            continue;
          }
          if (
            Object.keys(server).some(
              (f) =>
                JSON.stringify(normaliseStoredValue(server[f])) !==
                JSON.stringify(normaliseStoredValue(parsed[f] ?? null)),
            )
          )
            mismatched++;
        }
      }
      const serverTotal = fullReconcile.rows.find((r) => r.table === table)!.serverCount;
      duplicates.push({ table, duplicated: serverTotal - local.length });
    }

    console.log(
      [
        `faults: ${figures.kills} app kills, ${figures.terminations} connection terminations over ${figures.runs} runs`,
        `ingest: ${figures.failedCycles} failed cycles, ${figures.retries} retries, ${figures.alerts} alerts raised, ${figures.resets} reset, 503 answers ${figures.fiveOhThrees}, other 5xx ${figures.fiveHundreds}`,
        `rows compared: ${rows}, missing ${missing}, mismatched ${mismatched}, reconcile (24 h) ${reconcile.passed ? "PASS" : "FAIL"}, reconcile (all) ${fullReconcile.passed ? "PASS" : "FAIL"}`,
      ].join("\n"),
    );
    recordFaultFigures({
      order: 1,
      scenario: "app killed, database connections terminated",
      faults: figures.kills + figures.terminations,
      faultDetail: `${figures.kills} app SIGKILLs, ${figures.terminations} connection terminations`,
      runs: figures.runs,
      rows,
      lost: missing + mismatched,
      duplicated: duplicates.reduce((acc, d) => acc + Math.max(0, d.duplicated), 0),
      fiveXx: figures.fiveHundreds + figures.fiveOhThrees,
      fiveOhThree: figures.fiveOhThrees,
      seconds: Math.round((Date.now() - startedAt) / 1000),
    });
    expect(duplicates).toEqual(syncTableNames.map((table) => ({ table, duplicated: 0 })));
    expect(figures.kills).toBe(KILLS);
    expect(figures.terminations).toBe(TERMINATIONS);
    expect(log.lines.filter((l) => /server answered 5\d\d/.test(l) && !/answered 503/.test(l))).toEqual([]);
    expect({ missing, mismatched }).toEqual({ missing: 0, mismatched: 0 });
    expect(fullReconcile.rows.map((r) => [r.table, r.delta])).toEqual(syncTableNames.map((tn) => [tn, 0]));
    expect(reconcile.passed).toBe(true);
    ctx.store.close();
  },
  FULL ? 900_000 : 240_000,
);
