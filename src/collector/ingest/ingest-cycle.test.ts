// The alert path of one ingest cycle: the ALERT line at the threshold, the
// webhook called once when it is first reached, the failure in the health
// file. The server is really unreachable (a closed loopback port); the
// webhook receiver is a real local HTTP server.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, expect, it } from "vitest";
import { IngestHealthStore } from "../health/health-file";
import { createMemoryLog } from "../log";
import { openStore, type SqliteStore } from "../store/sqlite-store";
import { startFakeHttpServer, type FakeHttpServer } from "../../../test/support/fake-http-server";
import { createServerClient } from "../uplink/server-client";
import { HttpError } from "../uplink/http-error";
import { fakeServerClient } from "../../../test/support/fake-server-client";
import type { ReportFailureInput } from "~/shared/schemas/ingest";
import { runIngestCycle } from "./ingest-cycle";

let dir: string;
let store: SqliteStore;
let webhook: FakeHttpServer;

beforeAll(async () => {
  dir = mkdtempSync(path.join(tmpdir(), "xm-cycle-"));
  store = openStore({ path: path.join(dir, "x.db") });
  webhook = await startFakeHttpServer();
  webhook.handle(() => ({ status: 200, json: { ok: true } }));
});
afterAll(async () => {
  store.close();
  await webhook.close();
  rmSync(dir, { recursive: true, force: true });
});

it("alerts at the threshold and posts the ALERT line to the webhook once", async () => {
  const health = new IngestHealthStore({ file: path.join(dir, "health.json"), threshold: 2 });
  const api = createServerClient({
    baseUrl: "http://127.0.0.1:9",
    apiKey: "xmk_0123456789_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
    retry: { maxAttempts: 1 },
  });
  const outcomes = [];
  for (let i = 0; i < 3; i++) {
    const log = createMemoryLog();
    outcomes.push(
      await runIngestCycle({
        store,
        api,
        health,
        log,
        collector: "box",
        mode: "discovery",
        since: undefined,
        batchSize: 100,
        webhookUrl: webhook.baseUrl,
      }),
    );
  }
  expect(outcomes.map((o) => (o.ok ? "ok" : `${o.consecutiveFailures}:${o.alert}`))).toEqual([
    "1:false",
    "2:true",
    "3:true",
  ]);
  expect(webhook.requests).toHaveLength(1);
  const body = JSON.parse(webhook.requests[0]!.body) as { text: string };
  expect(body.text).toMatch(
    /^ALERT: ingest failures threshold reached mode=discovery consecutive_failures=2 threshold=2 last_error=cannot reach http:\/\/127\.0\.0\.1:9/,
  );
  expect(health.get("discovery")).toMatchObject({
    consecutive_failures: 3,
    last_error: expect.stringContaining("127.0.0.1:9"),
  });
});

it("reports a failed cycle live when the server answered, else with the next ingest; each cycle once", async () => {
  const health = new IngestHealthStore({ file: path.join(dir, "live.json"), threshold: 2 });
  const reports: ReportFailureInput[] = [];
  let answer: "503" | "down" | "ok" = "503";
  const api = fakeServerClient({
    access: async () => {
      if (answer === "503") throw new HttpError("server answered 503: maintenance", 503, undefined);
      if (answer === "down")
        throw new HttpError("cannot reach http://127.0.0.1:9 (ECONNREFUSED)", undefined, undefined);
      return { role: "ingest" as const, keyPrefix: "xmk_0123456789", collector: null, writableTables: [] };
    },
    reportFailure: async (input: ReportFailureInput) => {
      if (answer === "down") throw new Error("cannot reach the server");
      reports.push(input);
    },
  });
  const cycle = () =>
    runIngestCycle({
      store,
      api,
      health,
      log: createMemoryLog(),
      collector: "box",
      mode: "priority",
      since: undefined,
      batchSize: 100,
    });
  await cycle();
  // Live: the server answered, so it hears of the failure at once.
  expect(reports.map((r) => [r.consecutive, r.error])).toEqual([[1, "server answered 503: maintenance"]]);
  expect(health.get("priority").unreported).toEqual([]);
  answer = "down";
  await cycle();
  expect(reports).toHaveLength(1);
  expect(health.get("priority").unreported?.map((f) => f.consecutive)).toEqual([2]);
  answer = "ok";
  expect((await cycle()).ok).toBe(true);
  // After recovery: only the cycle the server never heard of, with its place in the streak.
  expect(reports.map((r) => [r.consecutive, r.cycleId?.startsWith("priority:")])).toEqual([
    [1, true],
    [2, true],
  ]);
  expect(new Set(reports.map((r) => r.cycleId)).size).toBe(2);
  expect(health.get("priority")).toMatchObject({ consecutive_failures: 0, unreported: [] });
});
