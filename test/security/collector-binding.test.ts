// Least privilege between collectors: a key bound to one collector may push,
// report failures, record reconcile results and open or change cutover
// records for that collector only (403 naming its collector otherwise, with
// nothing written), and an ingest key, bound or not, cannot open the console.
// Called through the tRPC caller and the REST ingest route over a real database.
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { installDb } from "../../src/server/db";
import { POST as ingestRoute } from "../../src/app/api/v1/ingest/route";
import { createConsoleSession, resolveConsoleSession } from "../../src/server/auth/sessions";
import type { Principal } from "../../src/server/auth/principal";
import { syncTableNames, type SyncTable } from "../../src/shared/schemas/tables";
import { projectRoot } from "../../scripts/lib/project-root";
import { PROCEDURES } from "./auth-policy";
import { createTestDatabase, type TestDatabase } from "../support/database";
import { callerFor, makePosts, principalFor } from "../support/fixtures";

let t: TestDatabase;
let laptop: Principal & { key: string };
let unbound: Principal & { key: string };
let admin: Principal & { key: string };
const at = "2026-11-27T12:00:00.000Z";

beforeAll(async () => {
  t = await createTestDatabase();
  installDb(t.db);
  laptop = await principalFor(t.db, "ingest", { collector: "my-laptop" });
  unbound = await principalFor(t.db, "ingest");
  admin = await principalFor(t.db, "admin");
});
afterAll(async () => t?.drop());

const refusal = (target: string) => ({
  code: "FORBIDDEN",
  message: expect.stringMatching(
    new RegExp(`^API key xmk_[a-z0-9]{10} is bound to collector "my-laptop" and cannot act for collector "${target}"`),
  ),
});

const pushFor = (collector: string, key: string) => ({
  idempotencyKey: `bind-${collector}-${key}`,
  collector,
  mode: "priority",
  posts: makePosts(1, { seed: collector.length, firstId: 3_000_000_000_000n + BigInt(collector.length) }),
});

const tablesFor = () =>
  Object.fromEntries(syncTableNames.map((table) => [table, { local: 0, server: 0, delta: 0 }])) as Record<
    SyncTable,
    { local: number; server: number; delta: number }
  >;

describe("a key bound to one collector", () => {
  it("pushes, reports and reconciles for its own collector", async () => {
    const api = callerFor(t.db, laptop);
    expect((await api.ingest.push(pushFor("my-laptop", "own"))).status).toBe("succeeded");
    expect(
      await api.ingest.reportFailure({ collector: "my-laptop", mode: "priority", error: "offline", attempts: 2 }),
    ).toMatchObject({ collector: "my-laptop", consecutiveFailures: 1 });
    expect(
      await api.reconcile.record({ collector: "my-laptop", checkedAt: at, passed: true, tables: tablesFor() }),
    ).toMatchObject({ passed: true });
    expect(await api.reconcile.counts({})).toHaveProperty("tables.posts");
  });

  it("is refused (403) for another collector's push, failure report and reconcile, and nothing is written", async () => {
    const api = callerFor(t.db, laptop);
    const before = {
      batches: await t.db.ingestBatch.count(),
      posts: await t.db.post.count(),
      health: await t.db.collectorHealth.count({ where: { collector: "ops-desk" } }),
      failures: await t.db.ingestFailure.count(),
      reconcile: await t.db.reconcileResult.count(),
    };
    await expect(api.ingest.push(pushFor("ops-desk", "foreign"))).rejects.toMatchObject(refusal("ops-desk"));
    await expect(
      api.ingest.reportFailure({ collector: "ops-desk", mode: "priority", error: "fake", attempts: 1 }),
    ).rejects.toMatchObject(refusal("ops-desk"));
    await expect(
      api.reconcile.record({ collector: "ops-desk", checkedAt: at, passed: true, tables: tablesFor() }),
    ).rejects.toMatchObject(refusal("ops-desk"));
    // A name that differs only in case or spacing is another collector.
    await expect(api.ingest.push(pushFor("My-Laptop", "case"))).rejects.toMatchObject(refusal("My-Laptop"));
    expect({
      batches: await t.db.ingestBatch.count(),
      posts: await t.db.post.count(),
      health: await t.db.collectorHealth.count({ where: { collector: "ops-desk" } }),
      failures: await t.db.ingestFailure.count(),
      reconcile: await t.db.reconcileResult.count(),
    }).toEqual(before);
  });

  it("cannot replay another collector's batch to read its result", async () => {
    const theirs = pushFor("ops-desk", "replay");
    await callerFor(t.db, unbound).ingest.push(theirs);
    await expect(callerFor(t.db, laptop).ingest.push(theirs)).rejects.toMatchObject(refusal("ops-desk"));
  });

  it("is refused (403) over REST for another collector, with the reason", async () => {
    const send = (collector: string) =>
      ingestRoute(
        new Request("http://localhost:3000/api/v1/ingest", {
          method: "POST",
          body: JSON.stringify(pushFor(collector, "rest")),
          headers: { "content-type": "application/json", authorization: `Bearer ${laptop.key}` },
        }),
        { params: Promise.resolve({}) },
      );
    const foreign = await send("ops-desk");
    expect(foreign.status).toBe(403);
    expect(await foreign.json()).toEqual({ error: refusal("ops-desk") });
    expect((await send("my-laptop")).status).toBe(200);
  });

  it("opens and changes only its own collector's cutover records, which remember the key that opened them", async () => {
    const api = callerFor(t.db, laptop);
    const own = await api.cutover.start({ label: "mine", collector: "my-laptop", operator: "ana", startedAt: at });
    const stored = await t.db.cutoverRun.findUniqueOrThrow({ where: { id: own.id } });
    expect(stored.apiKeyId).toBe(laptop.apiKeyId);
    const step = { step: "freeze" as const, status: "succeeded" as const, startedAt: at };
    expect(await api.cutover.recordStep({ cutoverId: own.id, step })).toMatchObject({ status: "running" });

    await expect(
      api.cutover.start({ label: "theirs", collector: "ops-desk", operator: "ana", startedAt: at }),
    ).rejects.toMatchObject(refusal("ops-desk"));
    const theirs = await callerFor(t.db, unbound).cutover.start({
      label: "theirs",
      collector: "ops-desk",
      operator: "bo",
      startedAt: at,
    });
    expect((await t.db.cutoverRun.findUniqueOrThrow({ where: { id: theirs.id } })).apiKeyId).toBe(unbound.apiKeyId);
    await expect(
      api.cutover.recordStep({ cutoverId: theirs.id, step, status: "failed", artifacts: { snapshot: "/etc/passwd" } }),
    ).rejects.toMatchObject({
      code: "FORBIDDEN",
      message: `API key ${laptop.keyPrefix} is bound to collector "my-laptop"; cutover ${theirs.id} belongs to another collector, so this key cannot change it.`,
    });
    const untouched = await t.db.cutoverRun.findUniqueOrThrow({ where: { id: theirs.id } });
    expect({ status: untouched.status, steps: untouched.steps, artifacts: untouched.artifacts }).toEqual({
      status: "running",
      steps: [],
      artifacts: {},
    });
    // Unbound ingest keys and admin keys may still change any collector's record (an admin's second import pass).
    expect(await callerFor(t.db, admin).cutover.recordStep({ cutoverId: own.id, step })).toMatchObject({
      status: "running",
    });
  });

  it("tells its own binding in ingest.access, so a collector can say which name it must use", async () => {
    expect(await callerFor(t.db, laptop).ingest.access()).toMatchObject({
      role: "ingest",
      collector: "my-laptop",
    });
    expect(await callerFor(t.db, unbound).ingest.access()).toMatchObject({ role: "ingest", collector: null });
  });
});

describe("ingest keys and the console", () => {
  it("cannot sign in, bound or not; reader and admin keys can", async () => {
    for (const key of [laptop, unbound]) {
      await expect(createConsoleSession(t.db, { apiKey: key.key })).rejects.toMatchObject({
        code: "FORBIDDEN",
        message: expect.stringContaining("Ingest keys are for collectors and cannot sign in to the console"),
      });
      expect(await t.db.consoleSession.count({ where: { apiKeyId: key.apiKeyId! } })).toBe(0);
    }
    const reader = await principalFor(t.db, "reader");
    expect((await createConsoleSession(t.db, { apiKey: reader.key })).principal.role).toBe("reader");
    expect((await createConsoleSession(t.db, { apiKey: admin.key })).principal.role).toBe("admin");
  });

  it("ends a session an ingest key opened before sign-in was refused to it", async () => {
    const token = "A".repeat(43);
    await t.db.consoleSession.create({
      data: {
        tokenHash: createHash("sha256").update(token).digest("hex"),
        apiKeyId: unbound.apiKeyId!,
        expiresAt: new Date(Date.now() + 3_600_000),
      },
    });
    expect(await resolveConsoleSession(t.db, { token })).toBeNull();
  });

  it("reads only what the collector reads: the console's lists and pages are 403", async () => {
    const api = callerFor(t.db, laptop);
    for (const call of [
      () => api.runs.list({}),
      () => api.posts.list({}),
      () => api.posts.spotCheck({ statusId: "1" }),
      () => api.overview.summary(),
      () => api.health.byCollector(),
      () => api.reconcile.history({}),
      () => api.cutover.list({}),
    ]) {
      await expect(call()).rejects.toMatchObject({
        code: "FORBIDDEN",
        message: expect.stringContaining("needs a key with role admin or reader"),
      });
    }
  });
});

describe("what ingest keys reach", () => {
  it("is exactly what the collector calls: its tRPC procedures and the procedure behind its REST read", () => {
    const calls = readFileSync(path.join(projectRoot, "src/collector/uplink/server-calls.ts"), "utf8");
    const viaTrpc = [...calls.matchAll(/trpc\.(\w+)\.(\w+)\.(?:query|mutate)\(/g)].map((m) => `${m[1]}.${m[2]}`);
    const viaRest = [...calls.matchAll(/`\$\{[^}]+\}(\/api\/v1\/[a-z/-]+)/g)].map((m) => m[1]);
    expect(viaTrpc.length).toBeGreaterThanOrEqual(9);
    // The spot check reads posts through REST too: GET /api/v1/posts/{statusId} is posts.byStatusId.
    expect(viaRest).toEqual(["/api/v1/posts/"]);
    const reachable = Object.entries(PROCEDURES)
      .filter(([, spec]) => spec.allowed !== "public" && spec.allowed.includes("ingest-bound"))
      .map(([name]) => name);
    // `collector runs remove` runs with an admin key: those calls stay out of an ingest key's reach.
    const withAdminKeyOnly = ["runs.removalPreview", "runs.remove"];
    for (const name of withAdminKeyOnly) expect(PROCEDURES[name]?.allowed, name).toEqual(["admin"]);
    const ingestCalls = viaTrpc.filter((name) => !withAdminKeyOnly.includes(name));
    // The cutover import pushes chunks through REST as well: POST BULK_PATH (/api/v1/ingest/bulk) is ingest.bulk.
    const viaBulk = /\$\{BULK_PATH\}/.test(calls) ? ["ingest.bulk"] : [];
    expect([...new Set([...ingestCalls, ...viaBulk, "posts.byStatusId"])].sort()).toEqual(reachable.sort());
  });
});
