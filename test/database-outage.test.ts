// When PostgreSQL is unreachable the API says so with 503 and Retry-After
// (a retryable answer for the collector), never a 500 or a hang.
import { describe, expect, it } from "vitest";
import { createDb, installDb } from "../src/server/db";
import { GET as getPostRoute } from "../src/app/api/v1/posts/[statusId]/route";
import { POST as ingestRoute } from "../src/app/api/v1/ingest/route";
import { GET as healthzRoute } from "../src/app/api/healthz/route";
import { GET as trpcGet } from "../src/app/api/trpc/[trpc]/route";

installDb(createDb("postgresql://postgres@127.0.0.1:9/xmonitor"));
const headers = { authorization: "Bearer xmk_0123456789_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA" };

describe("with the database down", () => {
  it("answers 503 with Retry-After on REST routes", async () => {
    const post = await getPostRoute(new Request("http://x/api/v1/posts/1", { headers }), {
      params: Promise.resolve({ statusId: "1" }),
    });
    expect(post.status).toBe(503);
    expect(post.headers.get("retry-after")).toBe("5");
    expect(await post.json()).toEqual({
      error: { code: "SERVICE_UNAVAILABLE", message: expect.stringContaining("retry in a few seconds") },
    });

    const ingest = await ingestRoute(
      new Request("http://x/api/v1/ingest", {
        method: "POST",
        headers,
        body: JSON.stringify({ idempotencyKey: "k", collector: "c", mode: "priority" }),
      }),
      { params: Promise.resolve({}) },
    );
    expect(ingest.status).toBe(503);
  });

  it("answers 503 on tRPC and on healthz", async () => {
    const trpc = await trpcGet(new Request("http://x/api/trpc/health.ping", { headers }));
    expect(trpc.status).toBe(503);
    const healthz = await healthzRoute();
    expect(healthz.status).toBe(503);
    expect(healthz.headers.get("retry-after")).toBe("5");
  });
});
