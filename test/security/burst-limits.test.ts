// The per-key rate limit and the body limit under a burst: autocannon on
// loopback against the production build with a small RATE_LIMIT_PER_MINUTE
// and INGEST_MAX_BODY_BYTES. Each key gets exactly its allowance of 2xx per
// one-minute window and a 429 with Retry-After for the rest; oversized
// bodies are all 413 and write nothing; nothing answers 5xx, and the app is
// healthy afterwards.
import autocannon from "autocannon";
import superjson from "superjson";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDatabase, type TestDatabase } from "../support/database";
import { callerFor, makePosts, principalFor } from "../support/fixtures";
import { startAppServer, type AppServer } from "../support/app-server";
import { createTrpcCalls } from "../../src/collector/uplink/server-calls";

const LIMIT = 20;
const PER_KEY = 3 * LIMIT;
const MAX_BODY = 64 * 1024;
const WINDOW_MS = 60_000;

let t: TestDatabase;
let app: AppServer;
const [seedPost] = makePosts(1, {
  seed: 21,
  firstId: 1_766_000_000_000_000_001n,
  at: Date.parse("2026-11-27T12:00:00Z"),
});

beforeAll(async () => {
  t = await createTestDatabase();
  const admin = await principalFor(t.db, "admin");
  await callerFor(t.db, admin).ingest.push({
    idempotencyKey: "burst-seed",
    collector: "burst",
    mode: "priority",
    posts: [seedPost!],
  });
  app = await startAppServer({
    databaseUrl: t.url,
    env: {
      RATE_LIMIT_PER_MINUTE: String(LIMIT),
      INGEST_MAX_BODY_BYTES: String(MAX_BODY),
      // Two bursts of 8 connections with one key run at once here; the in-flight
      // limit per key (its own test: credential-concurrency) is not what this file measures.
      CONCURRENT_REQUESTS_PER_KEY: "64",
    },
  });
}, 180_000);

afterAll(async () => {
  await app?.stop();
  await t?.drop();
});

type Seen = { status: number; retryAfter: string | undefined; body: string };
type Burst = { result: autocannon.Result; seen: Seen[] };

/** One bounded autocannon run: `amount` requests over `connections`, every answer kept. */
async function burst(options: {
  path: string;
  method?: "GET" | "POST";
  headers?: Record<string, string>;
  body?: (n: number) => string;
  amount: number;
  connections: number;
}): Promise<Burst> {
  const seen: Seen[] = [];
  let n = 0;
  const result = await autocannon({
    url: app.baseUrl,
    connections: options.connections,
    amount: options.amount,
    timeout: 10,
    requests: [
      {
        method: options.method ?? "GET",
        path: options.path,
        headers: { ...(options.body ? { "content-type": "application/json" } : {}), ...options.headers },
        ...(options.body ? { setupRequest: (req: autocannon.Request) => ({ ...req, body: options.body!(n++) }) } : {}),
        onResponse: (status, body, _context, headers) => {
          const retryAfter = headers?.["retry-after"];
          seen.push({ status, retryAfter: Array.isArray(retryAfter) ? retryAfter.join(",") : retryAfter, body });
        },
      },
    ],
  });
  return { result, seen };
}

function statusCounts(seen: Seen[]): Record<number, number> {
  const counts: Record<number, number> = {};
  for (const s of seen) counts[s.status] = (counts[s.status] ?? 0) + 1;
  return counts;
}

/** Waits out the last seconds of a minute, so that a burst falls in one rate-limit window. */
async function awayFromWindowEdge(marginMs: number): Promise<void> {
  const left = WINDOW_MS - (Date.now() % WINDOW_MS);
  if (left < marginMs) await new Promise((r) => setTimeout(r, left + 50));
}

describe("rate limit under a burst", () => {
  it("gives each key exactly its allowance per window, 429 with Retry-After for the rest, no 5xx", async () => {
    const keys = {
      reader: await principalFor(t.db, "reader"),
      ingest: await principalFor(t.db, "ingest"),
      admin: await principalFor(t.db, "admin"),
    };
    const auth = (key: string) => ({ authorization: `Bearer ${key}` });
    const batchesBefore = await t.db.ingestBatch.count();
    await awayFromWindowEdge(10_000);
    const started = Date.now();
    const [reader, ingest, admin] = await Promise.all([
      burst({
        path: `/api/v1/posts/${seedPost!.status_id}`,
        headers: auth(keys.reader.key),
        amount: PER_KEY,
        connections: 6,
      }),
      burst({
        path: "/api/v1/ingest",
        method: "POST",
        headers: auth(keys.ingest.key),
        body: (n) =>
          JSON.stringify({
            idempotencyKey: `burst-${n}`,
            collector: "burst",
            mode: "priority",
            posts: [{ ...seedPost!, like_count: n }],
          }),
        amount: PER_KEY,
        connections: 6,
      }),
      burst({
        path: `/api/trpc/runs.list?input=${encodeURIComponent(JSON.stringify(superjson.serialize({})))}`,
        headers: auth(keys.admin.key),
        amount: PER_KEY,
        connections: 6,
      }),
    ]);
    const elapsed = Date.now() - started;

    for (const [name, run] of Object.entries({ reader, ingest, admin })) {
      expect(run.result.errors, `${name}: connection errors`).toBe(0);
      expect(run.result.timeouts, `${name}: timeouts`).toBe(0);
      expect(run.seen, name).toHaveLength(PER_KEY);
      expect(statusCounts(run.seen), name).toEqual({ 200: LIMIT, 429: PER_KEY - LIMIT });
      for (const s of run.seen.filter((x) => x.status === 429)) {
        const retryAfter = Number(s.retryAfter);
        expect(
          Number.isInteger(retryAfter) && retryAfter >= 1 && retryAfter <= 60,
          `${name}: Retry-After ${s.retryAfter}`,
        ).toBe(true);
        expect(s.body).toContain("TOO_MANY_REQUESTS");
        expect(s.body).toContain(`${LIMIT} requests per minute`);
      }
    }
    // Every request was counted by the limiter, all in one window, and only the allowed ones wrote.
    for (const p of Object.values(keys)) {
      const windows = await t.db.rateLimitWindow.findMany({ where: { apiKeyId: p.apiKeyId! } });
      expect(windows.map((w) => w.count)).toEqual([PER_KEY]);
    }
    expect(await t.db.ingestBatch.count({ where: { apiKeyId: keys.ingest.apiKeyId! } })).toBe(LIMIT);
    expect(await t.db.ingestBatch.count()).toBe(batchesBefore + LIMIT);
    expect(elapsed).toBeLessThan(15_000);
  });
});

describe("body limit under a burst", () => {
  it("answers every oversized body 413, writes nothing, and stays healthy", async () => {
    const key = await principalFor(t.db, "admin");
    const auth = { authorization: `Bearer ${key.key}` };
    const counts = async () => ({
      posts: await t.db.post.count(),
      batches: await t.db.ingestBatch.count(),
      rejects: await t.db.ingestReject.count(),
    });
    const before = await counts();
    const oversized = (n: number) =>
      JSON.stringify({
        idempotencyKey: `huge-${n}`,
        collector: "burst",
        mode: "priority",
        posts: [
          {
            ...seedPost!,
            status_id: String(1_766_000_000_000_100_000n + BigInt(n)),
            body: "x".repeat(MAX_BODY + 1024),
          },
        ],
      });
    const trpcOversized = (n: number) =>
      JSON.stringify(superjson.serialize(JSON.parse(oversized(n + 1000)) as unknown));

    const [rest, trpc, chunked] = await Promise.all([
      burst({ path: "/api/v1/ingest", method: "POST", headers: auth, body: oversized, amount: 40, connections: 8 }),
      burst({
        path: "/api/trpc/ingest.push",
        method: "POST",
        headers: auth,
        body: trpcOversized,
        amount: 40,
        connections: 8,
      }),
      // Without a Content-Length (chunked): the limit is enforced while reading.
      Promise.all(
        Array.from({ length: 6 }, async (_, i) => {
          const bytes = new TextEncoder().encode(oversized(2000 + i));
          const body = new ReadableStream<Uint8Array>({
            start(controller) {
              for (let at = 0; at < bytes.length; at += 8192) controller.enqueue(bytes.subarray(at, at + 8192));
              controller.close();
            },
          });
          const response = await fetch(`${app.baseUrl}/api/v1/ingest`, {
            method: "POST",
            headers: { ...auth, "content-type": "application/json" },
            body,
            duplex: "half",
          } as RequestInit);
          return { status: response.status, text: await response.text() };
        }),
      ),
    ]);

    for (const [name, run] of Object.entries({ rest, trpc })) {
      expect(run.result.errors, `${name}: connection errors`).toBe(0);
      expect(run.result.timeouts, `${name}: timeouts`).toBe(0);
      expect(statusCounts(run.seen), name).toEqual({ 413: 40 });
      for (const s of run.seen) expect(s.body).toContain("PAYLOAD_TOO_LARGE");
    }
    expect(chunked.map((c) => c.status)).toEqual(Array(6).fill(413));
    expect(await counts()).toEqual(before);

    // Still healthy: the health check and a normal batch from another key go through.
    expect(app.child.exitCode).toBeNull();
    expect((await fetch(`${app.baseUrl}/api/healthz`)).status).toBe(200);
    const fresh = await principalFor(t.db, "ingest");
    const ok = await fetch(`${app.baseUrl}/api/v1/ingest`, {
      method: "POST",
      headers: { authorization: `Bearer ${fresh.key}`, "content-type": "application/json" },
      body: JSON.stringify({
        idempotencyKey: "after-burst",
        collector: "burst",
        mode: "priority",
        posts: [{ ...seedPost!, status_id: "1766000000000000999" }],
      }),
    });
    expect(ok.status).toBe(200);
    expect(await t.db.post.count()).toBe(before.posts + 1);
  });
});

describe("body limit, as clients see it", () => {
  it("gives tRPC clients the server's message in tRPC's own error shape, batched or not", async () => {
    const key = await principalFor(t.db, "ingest");
    const api = createTrpcCalls({ baseUrl: app.baseUrl, apiKey: key.key });
    const big = { ...seedPost!, status_id: "1766000000000001234", body: "x".repeat(MAX_BODY + 1024) };
    await expect(
      api.push({ idempotencyKey: "too-big", collector: "burst", mode: "priority", posts: [big] }),
    ).rejects.toMatchObject({
      status: 413,
      message: expect.stringContaining("INGEST_MAX_BODY_BYTES"),
    });
    // The console's batch link: one error per call of the batch.
    const batched = await fetch(`${app.baseUrl}/api/trpc/ingest.push,ingest.access?batch=1`, {
      method: "POST",
      headers: { authorization: `Bearer ${key.key}`, "content-type": "application/json" },
      body: JSON.stringify({ 0: superjson.serialize({ posts: [big] }), 1: superjson.serialize(undefined) }),
    });
    expect(batched.status).toBe(413);
    const entries = (await batched.json()) as { error: { json: { data: { code: string; path: string } } } }[];
    expect(entries.map((e) => [e.error.json.data.path, e.error.json.data.code])).toEqual([
      ["ingest.push", "PAYLOAD_TOO_LARGE"],
      ["ingest.access", "PAYLOAD_TOO_LARGE"],
    ]);
  });

  it("refuses an anonymous ingest with 401 before reading its body", async () => {
    const response = await fetch(`${app.baseUrl}/api/v1/ingest`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: "x".repeat(MAX_BODY * 2),
    });
    expect(response.status).toBe(401);
    expect(((await response.json()) as { error: { code: string } }).error.code).toBe("UNAUTHORIZED");
  });
});
