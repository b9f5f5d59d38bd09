// Property-based: malformed and hostile ingest payloads, path and query
// parameters. Every one gets a 4xx with a message or a per-item reject,
// never a 5xx, and the database changes by nothing but recorded rejects.
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { installDb } from "../src/server/db";
import { POST as ingestRoute } from "../src/app/api/v1/ingest/route";
import { GET as getPostRoute } from "../src/app/api/v1/posts/[statusId]/route";
import { GET as reconcileRoute } from "../src/app/api/v1/ops/reconcile-counts/route";
import { createTestDatabase, type TestDatabase } from "./support/database";
import { makePosts, principalFor } from "./support/fixtures";

let t: TestDatabase;
let key: string;
beforeAll(async () => {
  t = await createTestDatabase();
  installDb(t.db);
  key = (await principalFor(t.db, "admin")).key;
});
afterAll(async () => t?.drop());

const [valid] = makePosts(1, { seed: 5, firstId: 4_000_000n });

/** One change that makes a valid post invalid (what PostgreSQL cannot store, or the contract forbids). */
const hostileMutation: fc.Arbitrary<[string, unknown]> = fc.oneof(
  fc.constantFrom<[string, unknown]>(
    ["status_id", "1; DROP TABLE posts;--"],
    ["status_id", '{"$gt":""}'],
    ["status_id", "123456789012345678901"],
    ["status_id", 12345],
    ["status_id", ""],
    ["body", "nul \u0000 inside"],
    ["body", "lone \ud800 surrogate"],
    ["author_handle", "h".repeat(2001)],
    ["body", { nested: { deeper: [1, 2, { deepest: true }] } }],
    ["like_count", 2 ** 31],
    ["like_count", 1.5],
    ["like_count", "5"],
    ["view_count", 2 ** 60],
    ["created_at", "not a date"],
    ["created_at", "0000-01-01T00:00:00Z"],
    ["created_at", "2026-13-45T99:99:99Z"],
    ["created_at", "2026-02-25 19:39:12"],
    ["created_at", "2026-02-30T10:00:00Z"],
    ["created_at", "2026-02-25T19:39:12+15:00"],
    ["collected_at", "2026-04-31T00:00:00.000Z"],
    ["score", true],
    ["score", "0.5"],
    ["is_reply", "yes"],
    ["author_handle", "lone \udc00 low surrogate"],
    ["updated_at", null],
  ),
  fc.tuple(
    fc.constantFrom("status_id", "body", "created_at", "author_handle", "updated_at"),
    fc.oneof(fc.integer(), fc.boolean(), fc.constant(null), fc.array(fc.string(), { maxLength: 3 })),
  ),
);

async function push(body: string) {
  return ingestRoute(
    new Request("http://x/api/v1/ingest", {
      method: "POST",
      body,
      headers: { authorization: `Bearer ${key}`, "content-type": "application/json" },
    }),
    { params: Promise.resolve({}) },
  );
}

async function tableCounts() {
  const [posts, batches, rejects] = await Promise.all([
    t.db.post.count(),
    t.db.ingestBatch.count(),
    t.db.ingestReject.count(),
  ]);
  return { posts, batches, rejects };
}

describe("hostile ingest items", () => {
  it("rejects every hostile item by itself and writes nothing else", async () => {
    let n = 0;
    await fc.assert(
      fc.asyncProperty(fc.array(hostileMutation, { minLength: 1, maxLength: 6 }), async (mutations) => {
        const before = await tableCounts();
        const items = mutations.map(([field, value], i) => ({
          ...valid!,
          status_id: String(5_000_000n + BigInt(n * 10 + i)),
          [field]: value,
        }));
        n++;
        const response = await push(
          JSON.stringify({ idempotencyKey: `hostile-${n}`, collector: "fuzz", mode: "priority", posts: items }),
        );
        expect(response.status).toBe(200);
        const result = (await response.json()) as {
          tables: { posts: { inserted: number; rejected: number } };
          rejects: { reason: string }[];
        };
        expect(result.tables.posts).toMatchObject({ inserted: 0, rejected: items.length });
        result.rejects.forEach((r) => expect(r.reason).toMatch(/^invalid posts item: /));
        const after = await tableCounts();
        expect(after).toEqual({
          posts: before.posts,
          batches: before.batches + 1,
          rejects: before.rejects + items.length,
        });
      }),
      { numRuns: 60 },
    );
  });

  it("answers any body that is not a batch with a 4xx and writes nothing", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(
          fc.jsonValue().map((v) => JSON.stringify(v)),
          fc.string(),
          fc.constant("[".repeat(5000) + "]".repeat(5000)),
          fc.constant(JSON.stringify({ idempotencyKey: "k", collector: "c", mode: "priority", posts: "not an array" })),
          fc.constant(JSON.stringify({ idempotencyKey: "k", collector: "c", mode: "priority", version: 99 })),
          fc.constant(JSON.stringify({ idempotencyKey: "k".repeat(500), collector: "c", mode: "priority" })),
          fc.constant(JSON.stringify({ idempotencyKey: "k", collector: "c", mode: "DROP TABLE" })),
        ),
        async (body) => {
          const before = await tableCounts();
          const response = await push(body);
          const json = (await response.json()) as { error?: { code: string; message: string } };
          if (response.status === 200) return; // a body that happens to be a valid (empty) batch
          expect(response.status).toBeGreaterThanOrEqual(400);
          expect(response.status).toBeLessThan(500);
          expect(json.error?.message.length).toBeGreaterThan(10);
          expect(await tableCounts()).toEqual(before);
        },
      ),
      { numRuns: 150 },
    );
  });

  it("answers a 10 MB body with 413 and writes nothing", async () => {
    const before = await tableCounts();
    const response = await push(
      JSON.stringify({
        idempotencyKey: "big",
        collector: "c",
        mode: "priority",
        posts: [{ ...valid, body: "y".repeat(10 * 1024 * 1024) }],
      }),
    );
    expect(response.status).toBe(413);
    expect(await tableCounts()).toEqual(before);
  });
});

describe("hostile path and query parameters", () => {
  it("never answers a statusId with a 5xx", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(
          fc.string(),
          fc.stringMatching(/^[0-9]{1,25}$/),
          fc.constantFrom("../../etc/passwd", "%00", "1 OR 1=1", "😀", " 1"),
        ),
        async (statusId) => {
          const response = await getPostRoute(
            new Request(`http://x/api/v1/posts/x`, { headers: { authorization: `Bearer ${key}` } }),
            { params: Promise.resolve({ statusId }) },
          );
          expect([200, 400, 404]).toContain(response.status);
          const json = (await response.json()) as { error?: { message: string } };
          if (response.status !== 200) expect(json.error?.message).toBeTruthy();
        },
      ),
      { numRuns: 100 },
    );
  });

  it("never answers a since with a 5xx", async () => {
    // A count costs 15 of the key's 600 units a minute: a fresh key every 20 calls keeps the limit out of the way.
    let calls = 0;
    let countingKey = key;
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(
          fc.string(),
          fc.date({ noInvalidDate: true }).map((d) => d.toISOString()),
          fc.constantFrom("0000-01-01T00:00:00Z", "2026-02-30T00:00:00Z", "2026-02-25T19:39:12+25:00"),
        ),
        async (since) => {
          if (++calls % 20 === 0) countingKey = (await principalFor(t.db, "reader")).key;
          const response = await reconcileRoute(
            new Request(`http://x/api/v1/ops/reconcile-counts?since=${encodeURIComponent(since)}`, {
              headers: { authorization: `Bearer ${countingKey}` },
            }),
            { params: Promise.resolve({}) },
          );
          expect([200, 400]).toContain(response.status);
        },
      ),
      { numRuns: 100 },
    );
  });
});
