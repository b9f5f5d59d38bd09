// The HTTP surface: route handlers called with real Requests, over a real
// database. REST and tRPC must answer the same, with the same errors.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import superjson from "superjson";
import { installDb } from "../src/server/db";
import { GET as getPostRoute } from "../src/app/api/v1/posts/[statusId]/route";
import { GET as reconcileRoute } from "../src/app/api/v1/ops/reconcile-counts/route";
import { POST as ingestRoute } from "../src/app/api/v1/ingest/route";
import { GET as trpcGet, POST as trpcPost } from "../src/app/api/trpc/[trpc]/route";
import { GET as openApiRoute } from "../src/app/api/openapi.json/route";
import { revokeApiKey } from "../src/server/auth/api-keys";
import { createTestDatabase, type TestDatabase } from "./support/database";
import { makePosts, principalFor } from "./support/fixtures";

let t: TestDatabase;
const keys = {} as Record<"admin" | "ingest" | "reader" | "revoked", string>;
let revokedPrefix = "";

beforeAll(async () => {
  t = await createTestDatabase();
  installDb(t.db);
  for (const role of ["admin", "ingest", "reader"] as const) keys[role] = (await principalFor(t.db, role)).key;
  const revoked = await principalFor(t.db, "reader");
  keys.revoked = revoked.key;
  revokedPrefix = revoked.keyPrefix;
  await revokeApiKey(t.db, revokedPrefix);
});
afterAll(async () => t?.drop());

const base = "http://localhost:3000";
const auth = (key?: string): Record<string, string> => (key ? { authorization: `Bearer ${key}` } : {});

function getPost(statusId: string, key?: string) {
  return getPostRoute(new Request(`${base}/api/v1/posts/${statusId}`, { headers: auth(key) }), {
    params: Promise.resolve({ statusId }),
  });
}
function reconcile(query: string, key?: string) {
  return reconcileRoute(new Request(`${base}/api/v1/ops/reconcile-counts${query}`, { headers: auth(key) }), {
    params: Promise.resolve({}),
  });
}
function ingest(body: string, key?: string, headers: Record<string, string> = {}) {
  return ingestRoute(
    new Request(`${base}/api/v1/ingest`, {
      method: "POST",
      body,
      headers: { "content-type": "application/json", ...auth(key), ...headers },
    }),
    { params: Promise.resolve({}) },
  );
}
async function trpcQuery(path: string, input: unknown, key?: string) {
  const url = `${base}/api/trpc/${path}?input=${encodeURIComponent(JSON.stringify(superjson.serialize(input)))}`;
  const response = await trpcGet(new Request(url, { headers: auth(key) }));
  const json = (await response.json()) as {
    result?: { data: { json: unknown; meta?: unknown } };
    error?: { json: { message: string; data: { code: string } } };
  };
  return {
    status: response.status,
    data: json.result ? superjson.deserialize(json.result.data as never) : undefined,
    error: json.error?.json,
  };
}

const posts = makePosts(3, { seed: 99, firstId: 1_800_000_000_000_000_000n, at: Date.parse("2026-11-27T12:00:00Z") });

describe("POST /api/v1/ingest", () => {
  it("ingests a batch with an ingest key", async () => {
    const response = await ingest(
      JSON.stringify({ idempotencyKey: "rest-1", collector: "box", mode: "priority", posts }),
      keys.ingest,
    );
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({ replayed: false, tables: { posts: { inserted: 3 } } });
  });

  it("answers 401 without a key, for a malformed header, a wrong key and a revoked key, with no data", async () => {
    const body = JSON.stringify({ idempotencyKey: "rest-401", collector: "box", mode: "priority", posts });
    for (const [headers, message] of [
      [{}, "Authentication required"],
      [{ authorization: "Basic abc" }, "Malformed Authorization header"],
      [{ authorization: "Bearer xmk_0000000000_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA" }, "Invalid API key"],
      [{ authorization: `Bearer ${keys.revoked}` }, `API key ${revokedPrefix} was revoked`],
    ] as const) {
      const response = await ingest(body, undefined, headers);
      expect(response.status).toBe(401);
      const json = (await response.json()) as { error: { code: string; message: string } };
      expect(json).toEqual({ error: { code: "UNAUTHORIZED", message: expect.stringContaining(message) } });
    }
    expect(await t.db.ingestBatch.count({ where: { idempotencyKey: "rest-401" } })).toBe(0);
  });

  it("answers 403 to a reader key", async () => {
    const response = await ingest(
      JSON.stringify({ idempotencyKey: "rest-403", collector: "box", mode: "priority", posts }),
      keys.reader,
    );
    expect(response.status).toBe(403);
    expect(await response.json()).toEqual({
      error: { code: "FORBIDDEN", message: expect.stringContaining("has role reader") },
    });
  });

  it("answers 409 for a reused key with another body, 400 for bad JSON", async () => {
    const response = await ingest(
      JSON.stringify({ idempotencyKey: "rest-1", collector: "box", mode: "priority", posts: posts.slice(1) }),
      keys.ingest,
    );
    expect(response.status).toBe(409);
    const bad = await ingest("{not json", keys.ingest);
    expect(bad.status).toBe(400);
    expect(await bad.json()).toEqual({
      error: { code: "BAD_REQUEST", message: expect.stringContaining("not valid JSON") },
    });
  });

  it("answers 413 above the body limit, before parsing", async () => {
    const huge = JSON.stringify({
      idempotencyKey: "rest-413",
      collector: "box",
      mode: "priority",
      posts: [{ body: "x".repeat(9 * 1024 * 1024) }],
    });
    const response = await ingest(huge, keys.ingest);
    expect(response.status).toBe(413);
    expect(await response.json()).toEqual({
      error: { code: "PAYLOAD_TOO_LARGE", message: expect.stringContaining("INGEST_MAX_BODY_BYTES") },
    });
    const viaTrpc = await trpcPost(
      new Request(`${base}/api/trpc/ingest.push`, { method: "POST", body: huge, headers: auth(keys.ingest) }),
    );
    expect(viaTrpc.status).toBe(413);
  });

  it("answers 429 with Retry-After once the key's minute is used up", async () => {
    const limited = await principalFor(t.db, "reader");
    const now = Date.now();
    await t.db.rateLimitWindow.create({
      data: { apiKeyId: limited.apiKeyId!, windowStart: new Date(now - (now % 60_000)), count: 600 },
    });
    const response = await getPost(posts[0]!.status_id, limited.key);
    if (Date.now() - (Date.now() % 60_000) !== now - (now % 60_000)) return; // the minute turned over mid-test
    expect(response.status).toBe(429);
    expect(Number(response.headers.get("retry-after"))).toBeGreaterThanOrEqual(1);
    expect(await response.json()).toEqual({
      error: { code: "TOO_MANY_REQUESTS", message: expect.stringContaining("600 requests per minute") },
    });
    const viaTrpc = await trpcQuery("posts.byStatusId", { statusId: posts[0]!.status_id }, limited.key);
    expect(viaTrpc.status).toBe(429);
  });
});

describe("GET /api/v1/posts/{statusId}", () => {
  it("returns the same post as tRPC", async () => {
    const response = await getPost(posts[0]!.status_id, keys.reader);
    expect(response.status).toBe(200);
    const rest = (await response.json()) as Record<string, unknown>;
    expect(rest).toMatchObject({
      status_id: posts[0]!.status_id,
      author: { handle: "fedwatcher" },
      body: posts[0]!.body,
      metrics: { like_count: posts[0]!.like_count },
    });
    const trpc = await trpcQuery("posts.byStatusId", { statusId: posts[0]!.status_id }, keys.reader);
    expect(trpc.data).toEqual(rest);
  });

  it("answers 404 for an unknown id and 400 for a non-numeric one", async () => {
    const missing = await getPost("123", keys.reader);
    expect(missing.status).toBe(404);
    expect(await missing.json()).toEqual({
      error: { code: "NOT_FOUND", message: expect.stringContaining("No post with status_id 123") },
    });
    const bad = await getPost("12ab", keys.reader);
    expect(bad.status).toBe(400);
    expect(await bad.json()).toEqual({
      error: { code: "BAD_REQUEST", message: expect.stringContaining("statusId: must be an X status id") },
    });
  });
});

describe("GET /api/v1/ops/reconcile-counts", () => {
  it("counts per table since a time and in total, like tRPC", async () => {
    const response = await reconcile(`?since=${encodeURIComponent("2026-11-27T12:00:00.001Z")}`, keys.ingest);
    expect(response.status).toBe(200);
    const rest = (await response.json()) as {
      tables: Record<string, { since: number; total: number }>;
      since: string;
      takenAt: string;
    };
    expect(rest.since).toBe("2026-11-27T12:00:00.001Z");
    expect(rest.tables.posts).toEqual({ table: "posts", since: 2, total: 3 });
    expect(Object.keys(rest.tables).sort()).toEqual([
      "embeddings",
      "narrativeShifts",
      "pipelineRuns",
      "posts",
      "reports",
      "watchAccounts",
      "windowSummaries",
    ]);
    const trpc = await trpcQuery("reconcile.counts", { since: "2026-11-27T12:00:00.001Z" }, keys.ingest);
    expect((trpc.data as typeof rest).tables).toEqual(rest.tables);
    const all = (await (await reconcile("", keys.reader)).json()) as typeof rest;
    expect(all.tables.posts).toEqual({ table: "posts", since: 3, total: 3 });
  });

  it("with collector=, counts that collector's rows; a key bound to a collector counts its own, never another's", async () => {
    // box-r pushes one of box's posts again (an older version: the stored row stays box's) and one of its own.
    const shared = { ...posts[0]!, updated_at: "2026-11-27T11:00:00.000Z" };
    const own = makePosts(1, { seed: 7, firstId: 1_800_000_000_000_000_500n, at: Date.parse("2026-11-27T12:00:00Z") });
    const pushed = await ingest(
      JSON.stringify({ idempotencyKey: "rest-r", collector: "box-r", mode: "priority", posts: [shared, ...own] }),
      keys.ingest,
    );
    expect(pushed.status).toBe(200);
    type Counts = { collector: string | null; tables: Record<string, { since: number; total: number }> };
    const of = async (query: string, key: string) => (await (await reconcile(query, key)).json()) as Counts;
    expect((await of("?collector=box-r", keys.reader)).tables.posts).toEqual({ table: "posts", since: 2, total: 2 });
    expect((await of("?collector=box", keys.reader)).tables.posts).toEqual({ table: "posts", since: 3, total: 3 });
    const everyone = await of("", keys.reader);
    expect([everyone.collector, everyone.tables.posts]).toEqual([null, { table: "posts", since: 4, total: 4 }]);

    const bound = await principalFor(t.db, "ingest", { collector: "box-r" });
    const mine = await of("", bound.key);
    expect([mine.collector, mine.tables.posts?.total]).toEqual(["box-r", 2]);
    const refused = await reconcile("?collector=box", bound.key);
    expect(refused.status).toBe(403);
    expect(await refused.json()).toEqual({
      error: {
        code: "FORBIDDEN",
        message: expect.stringContaining('is bound to collector "box-r" and cannot act for collector "box"'),
      },
    });
  });

  it("answers 400 for a bad since", async () => {
    const response = await reconcile("?since=yesterday", keys.reader);
    expect(response.status).toBe(400);
    expect(await response.json()).toEqual({
      error: { code: "BAD_REQUEST", message: expect.stringContaining("since: must be an ISO-8601 time") },
    });
  });
});

describe("role matrix over tRPC", () => {
  const cases: [string, "query", unknown, Record<string, number>][] = [
    ["keys.list", "query", undefined, { none: 401, reader: 403, ingest: 403, admin: 200 }],
    ["runs.list", "query", {}, { none: 401, reader: 200, ingest: 403, admin: 200 }],
    ["health.byCollector", "query", undefined, { none: 401, reader: 200, ingest: 403, admin: 200 }],
    ["health.ping", "query", undefined, { none: 200, reader: 200, ingest: 200, admin: 200 }],
  ];
  for (const [path, , input, expected] of cases) {
    it(`${path}: ${JSON.stringify(expected)}`, async () => {
      for (const [who, status] of Object.entries(expected)) {
        const key = who === "none" ? undefined : keys[who as "admin"];
        const result = await trpcQuery(path, input, key);
        expect({ who, status: result.status }).toEqual({ who, status });
        if (status !== 200) expect(JSON.stringify(result.error)).not.toMatch(/xmk_[a-z0-9]{10}_/);
      }
    });
  }
});

describe("GET /api/openapi.json", () => {
  it("documents the REST routes from the zod schemas", async () => {
    const doc = (await openApiRoute().json()) as {
      openapi: string;
      paths: Record<string, unknown>;
      components: { schemas: { IngestBatch: { properties: Record<string, unknown> } } };
    };
    expect(doc.openapi).toBe("3.1.0");
    expect(Object.keys(doc.paths).sort()).toEqual([
      "/api/v1/ingest",
      "/api/v1/ingest/bulk",
      "/api/v1/ops/reconcile-counts",
      "/api/v1/posts/{statusId}",
    ]);
    expect(doc.components.schemas.IngestBatch.properties.posts).toMatchObject({
      type: "array",
      items: { properties: { status_id: { pattern: "^[0-9]{1,20}$" } } },
    });
  });
});

// After the count checks above: this adds a post.
describe("POST /api/v1/ingest and the clock", () => {
  it("rejects an item whose updated_at is ahead of the server clock, and stores the rest", async () => {
    const future = new Date(Date.now() + 3_600_000).toISOString();
    const fresh = makePosts(2, { seed: 98, firstId: 1_800_000_000_000_000_100n, at: Date.now() - 60_000 });
    const response = await ingest(
      JSON.stringify({
        idempotencyKey: "rest-future",
        collector: "box",
        mode: "priority",
        posts: [fresh[0], { ...fresh[1], updated_at: future }],
      }),
      keys.ingest,
    );
    expect(response.status).toBe(200);
    const body = (await response.json()) as { status: string; rejects: { index: number; reason: string }[] };
    expect(body.status).toBe("partial");
    expect(body.rejects).toEqual([
      {
        table: "posts",
        index: 1,
        key: fresh[1]!.status_id,
        reason: `updated_at ${future} is 60 min ahead of the server clock (at most 300 s allowed): check the clock of the machine that produced this item`,
      },
    ]);
    expect(await t.db.post.count({ where: { statusId: { in: fresh.map((p) => p.status_id) } } })).toBe(1);
  });
});
