// Requests built to stall the server, against the production build over
// loopback: superjson annotations that cost time quadratic in the body or
// turn a tree into a graph, JSON nested millions deep, a 1,300-call
// anonymous batch, and anonymous bodies that never finish. Each is refused
// before it costs anything, and a health check sent at the same moment
// answers at once. Server time is measured from the moment the last byte of
// the request was written to the moment the status line arrives.
import http from "node:http";
import superjson from "superjson";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { appRouter } from "../../src/server/api/root";
import { createTestDatabase, type TestDatabase } from "../support/database";
import { principalFor } from "../support/fixtures";
import { startAppServer, type AppServer } from "../support/app-server";

const MAX_BODY = 8 * 1024 * 1024;
// Times are printed for docs/security.md, never asserted: this machine is shared and noisy. What is
// asserted is what the server answers, and that nothing was stored or broke.

let t: TestDatabase;
let app: AppServer;
const keys = {} as Record<"reader" | "ingest", string>;

beforeAll(async () => {
  t = await createTestDatabase();
  keys.reader = (await principalFor(t.db, "reader")).key;
  keys.ingest = (await principalFor(t.db, "ingest")).key;
  app = await startAppServer({ databaseUrl: t.url, env: { RATE_LIMIT_PER_MINUTE: "100000" } });
}, 180_000);

afterAll(async () => {
  await app?.stop();
  await t?.drop();
});

type Answer = { status: number; body: string; serverMs: number; headers: http.IncomingHttpHeaders };

/** One request over a fresh connection; `serverMs` runs from the last byte written to the status line. */
function send(options: {
  path: string;
  method?: string;
  headers?: Record<string, string>;
  body?: Buffer | string;
}): Promise<Answer> {
  return new Promise((resolve, reject) => {
    let sentAt = performance.now();
    const req = http.request(
      `${app.baseUrl}${options.path}`,
      { method: options.method ?? "GET", headers: options.headers, agent: false },
      (res) => {
        const serverMs = performance.now() - sentAt;
        const chunks: Buffer[] = [];
        res.on("data", (c: Buffer) => chunks.push(c));
        res.on("end", () =>
          resolve({ status: res.statusCode!, body: Buffer.concat(chunks).toString(), serverMs, headers: res.headers }),
        );
      },
    );
    req.on("error", reject);
    req.end(options.body, () => (sentAt = performance.now()));
  });
}

const healthz = () => send({ path: "/api/healthz" });

/** Pads the envelope's json with a string so the whole body is just under the body limit. */
function padded(envelope: { json: Record<string, unknown>; meta: unknown }): Buffer {
  const bare = JSON.stringify({ ...envelope, json: { ...envelope.json, pad: "" } });
  const body = JSON.stringify({
    ...envelope,
    json: { ...envelope.json, pad: "x".repeat(MAX_BODY - bare.length - 16) },
  });
  expect(body.length).toBeLessThanOrEqual(MAX_BODY);
  expect(body.length).toBeGreaterThan(MAX_BODY - 64);
  return Buffer.from(body);
}

/** The probe: an array made a Set, with 12,000 paths pointing into it. */
function setAnnotationPayload(): Buffer {
  const ids = Array.from({ length: 12_000 }, (_, i) => i);
  const paths = Object.fromEntries(ids.map((i) => [String(i), ["undefined"]]));
  return padded({ json: { text: "abc", ids }, meta: { values: { ids: ["set", paths] }, v: 1 } });
}

/** Sixty levels, each pointing twice at the one below: a graph with 2^60 paths for any walker. */
function referentialPayload(): Buffer {
  const json: Record<string, unknown> = { text: "abc", l0: { leaf: true } };
  const equalities: Record<string, string[]> = {};
  for (let level = 1; level <= 60; level++) {
    json[`l${level}`] = { left: null, right: null };
    equalities[`l${level - 1}`] = [`l${level}.left`, `l${level}.right`];
  }
  return padded({ json, meta: { referentialEqualities: equalities, v: 1 } });
}

/** Brackets nested four million deep (JSON.parse itself takes seconds on this). */
function deepNestingPayload(): Buffer {
  const depth = MAX_BODY / 2 - 64;
  return Buffer.from(`{"json":${"[".repeat(depth)}${"]".repeat(depth)}}`);
}

const hostile: [string, string, "reader" | "ingest", () => Buffer][] = [
  ["meta.values Set with 12,000 paths, posts.list", "/api/trpc/posts.list", "reader", setAnnotationPayload],
  ["referentialEqualities 60 levels deep, posts.list", "/api/trpc/posts.list", "reader", referentialPayload],
  ["referentialEqualities 60 levels deep, ingest.push", "/api/trpc/ingest.push", "ingest", referentialPayload],
  ["meta.values Set with 12,000 paths, ingest.push", "/api/trpc/ingest.push", "ingest", setAnnotationPayload],
  ["JSON nested 4 million deep, posts.list", "/api/trpc/posts.list", "reader", deepNestingPayload],
];

/** Figures of the last run, printed for docs/security.md. */
const figures: string[] = [];

describe("hostile superjson at 8 MiB", () => {
  it.each(hostile)("%s: 400, and /api/healthz answers alongside", async (name, path, role, build) => {
    const body = build();
    const headers = { authorization: `Bearer ${keys[role]}`, "content-type": "application/json" };
    // Warm the route and the health check: a fresh `next start` loads each route's code on first use, and
    // the first 8 MiB request grows the heap.
    await send({ path, method: "POST", headers, body });
    await healthz();

    const runs: { refusal: Answer; health: Answer }[] = [];
    for (let i = 0; i < 5; i++) {
      const refusal = send({ path, method: "POST", headers, body });
      // Sent while the server holds the hostile body: it must not wait behind it.
      await new Promise((r) => setTimeout(r, 5));
      const health = healthz();
      runs.push({ refusal: await refusal, health: await health });
    }
    for (const { refusal, health } of runs) {
      expect(refusal.status, refusal.body.slice(0, 300)).toBe(400);
      expect(refusal.body).toMatch(/Input refused/);
      expect(health.status).toBe(200);
    }
    const median = (values: number[]) => values.sort((a, b) => a - b)[2]!;
    const refusalMs = median(runs.map((r) => r.refusal.serverMs));
    const healthMs = median(runs.map((r) => r.health.serverMs));
    figures.push(`${name}: refused in ${refusalMs.toFixed(0)} ms, healthz ${healthMs.toFixed(0)} ms (median of 5)`);
    // Nothing was stored, nothing broke.
    expect(await t.db.ingestBatch.count()).toBe(0);
    expect(app.child.exitCode).toBeNull();
  });

  it("still serves honest inputs, undefined markers included", async () => {
    const input = superjson.serialize({ text: "abc", author: undefined, limit: 5 });
    expect(input.meta).toBeDefined();
    const answer = await send({
      path: "/api/trpc/posts.list",
      method: "POST",
      headers: { authorization: `Bearer ${keys.reader}`, "content-type": "application/json" },
      body: JSON.stringify(input),
    });
    expect(answer.status, answer.body).toBe(200);
  });

  afterAll(() => console.log(`hostile superjson figures:\n  ${figures.join("\n  ")}`));
});

describe("anonymous requests", () => {
  it("refuses a 1,300-call anonymous batch with 400 before running any of it", async () => {
    const paths = Array(1300).fill("health.ping").join(",");
    const get = await send({ path: `/api/trpc/${paths}?batch=1&input=${encodeURIComponent("{}")}` });
    const post = await send({
      path: `/api/trpc/${paths}?batch=1`,
      method: "POST",
      headers: { "content-type": "application/json" },
      body: "{}",
    });
    for (const answer of [get, post]) {
      expect(answer.status).toBe(400);
      expect(answer.body).toContain("at most 20 calls");
    }
    // A batch within the limit still needs a key: health.ping is anonymous only on its own.
    const small = await send({ path: "/api/trpc/health.ping,health.ping?batch=1&input=%7B%7D" });
    expect(small.status).toBe(401);
    expect((await send({ path: "/api/trpc/health.ping" })).status).toBe(200);
  });

  it("answers 401 to every procedure without reading the body: a body that never finishes still gets its answer", async () => {
    const procedures = Object.keys(appRouter._def.procedures);
    expect(procedures.length).toBeGreaterThan(15);
    for (const procedure of procedures) {
      const answer = await new Promise<{ status: number; body: string }>((resolve, reject) => {
        const req = http.request(
          `${app.baseUrl}/api/trpc/${procedure}`,
          {
            method: "POST",
            agent: false,
            // Announces 8 MiB, sends 1 KiB and then nothing: only a server that answers before reading can reply.
            headers: { "content-type": "application/json", "content-length": String(MAX_BODY) },
          },
          (res) => {
            let body = "";
            res.on("data", (c: Buffer) => (body += c.toString()));
            res.on("end", () => {
              req.destroy();
              resolve({ status: res.statusCode!, body });
            });
          },
        );
        req.on("error", (error) => (req.destroyed ? undefined : reject(error)));
        req.write(`{"json":"${"x".repeat(1024)}`);
        setTimeout(() => reject(new Error(`${procedure}: no answer within 5 s: the server waited for the body`)), 5000);
      });
      expect(answer.status, procedure).toBe(401);
      expect(answer.body, procedure).toContain("Authentication required");
    }
  });
});
