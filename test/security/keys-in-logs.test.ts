// API keys are shown once, at creation, and never again: not in the app's
// logs (at debug level), not in error bodies, whatever is sent with them.
import { afterAll, beforeAll, expect, it } from "vitest";
import { revokeApiKey } from "../../src/server/auth/api-keys";
import { createTestDatabase, type TestDatabase } from "../support/database";
import { principalFor } from "../support/fixtures";
import { startAppServer, type AppServer } from "../support/app-server";

let t: TestDatabase;
let app: AppServer;
const secrets: string[] = [];

beforeAll(async () => {
  t = await createTestDatabase();
  app = await startAppServer({
    databaseUrl: t.url,
    captureOutput: true,
    env: { LOG_LEVEL: "debug", RATE_LIMIT_PER_MINUTE: "3" },
  });
}, 180_000);
afterAll(async () => {
  await app?.stop();
  await t?.drop();
});

it("never writes a key to the logs or an error body", async () => {
  const ingest = await principalFor(t.db, "ingest");
  const reader = await principalFor(t.db, "reader");
  const revoked = await principalFor(t.db, "reader");
  await revokeApiKey(t.db, revoked.keyPrefix);
  // The secret is everything after `xmk_<10-char id>_` (it may itself contain "_").
  secrets.push(...[ingest.key, reader.key, revoked.key].map((k) => k.slice("xmk_".length + 11)));
  for (const secret of secrets) expect(secret.length).toBeGreaterThanOrEqual(32);
  const bodies: string[] = [];
  const call = async (path: string, key: string, init: RequestInit = {}) => {
    const response = await fetch(`${app.baseUrl}${path}`, {
      ...init,
      headers: {
        authorization: `Bearer ${key}`,
        "content-type": "application/json",
        ...(init.headers as Record<string, string>),
      },
    });
    bodies.push(await response.text());
    return response.status;
  };
  const statuses = [
    await call("/api/v1/ingest", ingest.key, {
      method: "POST",
      body: JSON.stringify({ idempotencyKey: "k1", collector: "c", mode: "priority", posts: [{ status_id: "x" }] }),
    }),
    await call("/api/v1/ingest", reader.key, { method: "POST", body: "{}" }),
    await call("/api/v1/posts/1", revoked.key),
    await call("/api/v1/posts/abc", ingest.key),
    await call("/api/v1/ingest", ingest.key, { method: "POST", body: "{broken" }),
    await call("/api/trpc/keys.list", ingest.key),
    await call("/api/v1/posts/1", `${ingest.key}x`),
    await call("/api/v1/ingest", ingest.key, {
      method: "POST",
      body: JSON.stringify({ idempotencyKey: "k1", collector: "c", mode: "priority" }),
    }),
  ];
  expect(statuses).toEqual([200, 403, 401, 400, 400, 403, 401, 429]);
  const everything = `${app.output()}\n${bodies.join("\n")}`;
  expect(everything.length).toBeGreaterThan(500);
  for (const secret of secrets) expect(everything).not.toContain(secret);
  expect(everything).not.toMatch(/xmk_[a-z0-9]{10}_[A-Za-z0-9_-]{20,}/);
});
