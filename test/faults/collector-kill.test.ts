// Fault injection: the collector process killed mid-run. The real CLI
// (bin/xmonitor-collector.js run --mode priority) runs again and again
// against the real app (through a loopback proxy that slows the answers a
// little) with an embeddings endpoint that takes its time, and is SIGKILLed:
// while it waits for embeddings (its run recorded as 'running', nothing of
// the run stored yet), after some of its ingest batches were committed, or
// at a random moment. After every kill the SQLite file must pass
// PRAGMA integrity_check and hold nothing of a run that did not finish; the
// next run must mark the stale 'running' run failed (and say so); and after
// the last, unkilled run every post the source ever showed is in the SQLite
// file and every local row is on the server, key by key.
//
// Short form in the default suite; FAULTS=full (npm run test:faults) kills
// thirty times.
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import http from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { createHash } from "node:crypto";
import Database from "better-sqlite3";
import { afterAll, beforeAll, expect, it } from "vitest";
import { syncTableNames } from "~/shared/schemas/tables";
import { seededRandom } from "~/shared/random";
import { parseCollectorEnv } from "~/collector/config";
import { createCollectorContext } from "~/collector/context";
import { accountsAdd } from "~/collector/commands/accounts";
import { createTrpcCalls } from "~/collector/uplink/server-calls";
import { createMemoryLog } from "~/collector/log";
import { generateReplayLines, REPLAY_ACCOUNTS } from "~/collector/sources/replay-generator";
import { projectRoot } from "../../scripts/lib/project-root";
import { createTestDatabase, type TestDatabase } from "../support/database";
import { principalFor } from "../support/fixtures";
import { startAppServer, type AppServer } from "../support/app-server";
import { ingestPushOf, startFaultProxy, type FaultProxy } from "../support/fault-proxy";
import { compareWithServer, readItems, serverCount } from "../support/server-compare";
import { recordFaultFigures } from "./summary";
import { collectorFiles } from "../support/collector-env";

const FULL = process.env.FAULTS === "full";
/** Collector processes started; all but the last are meant to be killed. */
const SPAWNS = FULL ? 31 : 5;
const KINDS = ["embedding", "ingest", "timer"] as const;
type KillKind = (typeof KINDS)[number];
const EMBEDDING_DELAY_MS = 300;

let t: TestDatabase;
let app: AppServer;
let proxy: FaultProxy;
let embeddings: http.Server;
let dir: string;
let key: string;
/** What the fake services do when the current collector process reaches them. */
let onEmbeddingRequest: (() => void) | null = null;
let onIngestAnswer: (() => void) | null = null;

beforeAll(async () => {
  t = await createTestDatabase();
  key = (await principalFor(t.db, "admin")).key;
  app = await startAppServer({ databaseUrl: t.url, env: { RATE_LIMIT_PER_MINUTE: "100000" }, captureOutput: true });
  proxy = await startFaultProxy({
    upstream: () => app.port,
    onResponse: (exchange) => {
      if (ingestPushOf(exchange)?.result) onIngestAnswer?.();
      return "relay";
    },
    delayMs: (exchange) => (exchange.procedure === "ingest.push" ? 25 : 0),
  });
  // An OpenAI-shaped embeddings endpoint that answers slowly: the collector sits in its run meanwhile.
  embeddings = http.createServer((req, res) => {
    let body = "";
    req.on("data", (chunk: Buffer) => (body += chunk.toString()));
    req.on("end", () => {
      onEmbeddingRequest?.();
      const input = (JSON.parse(body) as { input: string[] }).input;
      const data = input.map((text, index) => ({
        index,
        embedding: Array.from(createHash("sha256").update(text).digest().subarray(0, 8), (b) => b / 255 - 0.5),
      }));
      setTimeout(() => {
        if (res.destroyed) return;
        res.writeHead(200, { "content-type": "application/json" });
        res.end(JSON.stringify({ data }));
      }, EMBEDDING_DELAY_MS);
    });
  });
  await new Promise<void>((resolve) => embeddings.listen(0, "127.0.0.1", resolve));
  dir = mkdtempSync(path.join(tmpdir(), "xm-faults-kill-"));
}, 180_000);

afterAll(async () => {
  embeddings?.closeAllConnections();
  await new Promise<void>((resolve) => (embeddings ? embeddings.close(() => resolve()) : resolve()));
  await proxy?.close();
  await app?.stop();
  await t?.drop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

function collectorEnv(): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [name, value] of Object.entries(process.env))
    if (value !== undefined && !name.startsWith("XMONITOR_")) env[name] = value;
  return {
    ...env,
    ...collectorFiles(dir),
    XMONITOR_API_BASE_URL: proxy.baseUrl,
    XMONITOR_API_KEY: key,
    XMONITOR_COLLECTOR_NAME: "kill-box",
    XMONITOR_INGEST_BATCH_SIZE: "25",
    XMONITOR_INGEST_MAX_ATTEMPTS: "4",
    XMONITOR_INGEST_INITIAL_BACKOFF_SECONDS: "0.1",
    XMONITOR_EMBEDDINGS_BASE_URL: `http://127.0.0.1:${(embeddings.address() as AddressInfo).port}`,
    XMONITOR_EMBEDDINGS_MODEL: "fake-embedding-8",
  };
}

function runCollector(): {
  child: ChildProcess;
  output: () => string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
} {
  const child = spawn(
    process.execPath,
    [path.join(projectRoot, "bin", "xmonitor-collector.js"), "run", "--mode", "priority"],
    {
      cwd: dir,
      env: collectorEnv() as NodeJS.ProcessEnv,
      stdio: ["ignore", "pipe", "pipe"],
    },
  );
  let output = "";
  child.stdout.on("data", (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on("data", (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once("exit", (code, signal) => resolve({ code, signal })),
  );
  return { child, output: () => output, exited };
}

it(
  `a collector SIGKILLed mid-run leaves a sound SQLite file, and the next run marks it failed and delivers everything (${SPAWNS - 1} kills)`,
  async () => {
    const startedAt = Date.now();
    const random = seededRandom(404);
    const file = path.join(dir, "x_monitor.db");
    {
      // Every account priority: each run fetches every account's new posts.
      const ctx = createCollectorContext(parseCollectorEnv(collectorEnv()), { log: createMemoryLog() });
      for (const account of REPLAY_ACCOUNTS) accountsAdd(ctx, { handle: account.username, tier: "priority" });
      ctx.store.close();
    }
    // The source reveals a few more posts before each run (all already published).
    const now = Date.now();
    const lines = generateReplayLines({
      seed: 31,
      count: SPAWNS * 10,
      start: new Date(now - 6 * 3_600_000).toISOString(),
      end: new Date(now - 120_000).toISOString(),
    });
    const revealed = (i: number) => lines.slice(0, Math.ceil(((i + 1) / SPAWNS) * lines.length));

    const kills: Record<KillKind, number> = { embedding: 0, ingest: 0, timer: 0 };
    let missedKills = 0;
    let integrityFailures = 0;
    const problems: string[] = [];
    /** 'running' rows a killed process left, until a later run marks them failed. */
    const stale = new Set<string>();
    let markedFailed = 0;
    for (let i = 0; i < SPAWNS; i++) {
      writeFileSync(
        path.join(dir, "replay.jsonl"),
        `${revealed(i)
          .map((l) => JSON.stringify(l))
          .join("\n")}\n`,
      );
      const last = i === SPAWNS - 1;
      const kind: KillKind | null = last ? null : KINDS[i % KINDS.length]!;
      const run = runCollector();
      const kill = () => {
        if (run.child.exitCode === null && run.child.signalCode === null) run.child.kill("SIGKILL");
      };
      let timer: NodeJS.Timeout | undefined;
      if (kind === "embedding") onEmbeddingRequest = kill;
      if (kind === "ingest") {
        let answers = 0;
        const killAfter = 1 + Math.floor(random.next() * 3);
        onIngestAnswer = () => {
          if (++answers === killAfter) kill();
        };
      }
      if (kind === "timer") timer = setTimeout(kill, 150 + Math.floor(random.next() * 2500));
      const exit = await run.exited;
      clearTimeout(timer);
      onEmbeddingRequest = null;
      onIngestAnswer = null;
      if (exit.signal === "SIGKILL") kills[kind!]++;
      else if (kind) missedKills++;
      if (last && exit.code !== 0) problems.push(`the last run exited ${exit.code}: ${run.output().slice(-2000)}`);

      // The file after the process died (or finished): sound, and what the run said it marked.
      const db = new Database(file);
      try {
        const integrity = db.pragma("integrity_check", { simple: true });
        if (integrity !== "ok") {
          integrityFailures++;
          problems.push(`after run ${i}: integrity_check ${String(integrity)}`);
        }
        const said = [
          ...run.output().matchAll(/run (\S+) was left running by a process that ended mid-run: marked failed/g),
        ].map((m) => m[1]!);
        for (const id of said) {
          const row = db.prepare("select status, error from runs where run_id = ?").get(id) as
            { status: string; error: string | null } | undefined;
          if (!stale.has(id)) problems.push(`run ${i} marked ${id} failed, which no killed process left running`);
          if (row?.status !== "failed" || row.error !== "collector process ended mid-run")
            problems.push(`run ${id}: said marked failed, but is ${JSON.stringify(row)}`);
          stale.delete(id);
          markedFailed++;
        }
        for (const id of db.prepare("select run_id from runs where status = 'running'").pluck().all() as string[]) {
          if (exit.signal !== "SIGKILL" && !stale.has(id))
            problems.push(`run ${id} is still 'running' after a process that was not killed`);
          stale.add(id);
        }
      } finally {
        db.close();
      }
    }

    const db = new Database(file, { readonly: true });
    // Nothing of a run that did not finish: its posts, embeddings and digest came in again with a later run.
    const orphans = db
      .prepare(
        "select count(*) from tweets where run_id in (select run_id from runs where error = 'collector process ended mid-run')",
      )
      .pluck()
      .get() as number;
    const orphanReports = db
      .prepare(
        "select count(*) from reports where run_id in (select run_id from runs where error = 'collector process ended mid-run')",
      )
      .pluck()
      .get() as number;
    // Every post the source showed was stored.
    const local = new Set(db.prepare("select status_id from tweets").pluck().all() as string[]);
    const notStored = revealed(SPAWNS - 1).filter((l) => !local.has(l.tweet.id)).length;
    const api = createTrpcCalls({ baseUrl: app.baseUrl, apiKey: key });
    let rows = 0;
    let missing = 0;
    let mismatched = 0;
    let extra = 0;
    for (const table of syncTableNames) {
      const items = readItems(db, table);
      const comparison = await compareWithServer(api, table, items);
      rows += comparison.rows;
      missing += comparison.missing;
      mismatched += comparison.mismatched;
      problems.push(...comparison.examples);
      extra += (await serverCount(t.db, table)) - items.length;
    }
    db.close();

    const statuses = proxy.exchanges.map((e) => e.status ?? 0);
    const fiveXx = statuses.filter((s) => s >= 500).length;
    const appErrors = app
      .output()
      .split("\n")
      .filter((l) => /procedure failed|deadlock|40P01|40001|could not serialize/i.test(l));
    const killed = kills.embedding + kills.ingest + kills.timer;
    console.log(
      [
        `collector kills: ${killed} SIGKILLs (${kills.embedding} waiting for embeddings, ${kills.ingest} mid-ingest, ${kills.timer} at random moments; ${missedKills} processes finished before their kill) over ${SPAWNS} runs`,
        `stale runs marked failed by the next run: ${markedFailed}, still unmarked ${stale.size}; integrity failures ${integrityFailures}; rows of unfinished runs ${orphans + orphanReports}; posts never stored ${notStored}`,
        `rows compared: ${rows}, missing ${missing}, mismatched ${mismatched}, extra on server ${extra}; 5xx ${fiveXx}`,
      ].join("\n"),
    );
    recordFaultFigures({
      order: 4,
      scenario: "collector process killed mid-run",
      faults: killed,
      faultDetail: `collector SIGKILLs: ${kills.embedding} mid-collection, ${kills.ingest} mid-ingest, ${kills.timer} at random`,
      runs: SPAWNS,
      rows,
      lost: missing + mismatched + notStored,
      duplicated: Math.max(0, extra),
      fiveXx,
      fiveOhThree: statuses.filter((s) => s === 503).length,
      seconds: Math.round((Date.now() - startedAt) / 1000),
    });

    expect(problems).toEqual([]);
    expect(kills.embedding).toBeGreaterThan(0);
    expect(kills.ingest).toBeGreaterThan(0);
    expect(killed).toBeGreaterThanOrEqual(Math.floor(((SPAWNS - 1) * 2) / 3));
    expect(markedFailed).toBeGreaterThanOrEqual(kills.embedding);
    expect({ integrityFailures, unmarked: stale.size, orphans: orphans + orphanReports, notStored }).toEqual({
      integrityFailures: 0,
      unmarked: 0,
      orphans: 0,
      notStored: 0,
    });
    expect({ missing, mismatched, extra }).toEqual({ missing: 0, mismatched: 0, extra: 0 });
    expect(fiveXx).toBe(0);
    expect(appErrors).toEqual([]);
  },
  FULL ? 900_000 : 240_000,
);
