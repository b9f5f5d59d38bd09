// Who may call what, over real HTTP against the production build: every tRPC
// procedure and route handler (auth-policy.ts, which fails for anything it
// does not list), called with no, a malformed, an unknown and a revoked
// credential, a key of each role, and ingest keys bound to the inputs'
// collector or to another; as `Authorization: Bearer`, then as the console's
// session cookie (signed in through the login form; ingest keys cannot sign
// in, and a session one held before is dead). Error bodies must carry no row
// data and no key material.
import { createHash, randomBytes } from "node:crypto";
import superjson from "superjson";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { revokeApiKey } from "../../src/server/auth/api-keys";
import { createTestDatabase, type TestDatabase } from "../support/database";
import { callerFor, makePosts, principalFor } from "../support/fixtures";
import { startAppServer, type AppServer } from "../support/app-server";
import {
  COLLECTOR,
  CONSOLE,
  discoverRoutes,
  INGEST_KINDS,
  KEY_KINDS,
  procedureTypes,
  PROCEDURES,
  ROUTES,
  type Expectation,
  type Fixtures,
  type KeyKind,
  type RouteExpectation,
} from "./auth-policy";

/** Who calls: nobody, a broken credential, or a live key. */
type Who = "none" | "malformed" | "unknown" | "revoked" | KeyKind;
const WHO: readonly Who[] = ["none", "malformed", "unknown", "revoked", ...KEY_KINDS];

describe("the policy table covers the whole surface", () => {
  it("lists every procedure of the app router, and nothing else", () => {
    const actual = Object.keys(procedureTypes()).sort();
    expect(actual.length).toBeGreaterThan(20);
    expect(
      actual.filter((p) => !(p in PROCEDURES)),
      "procedures without an entry in PROCEDURES: classify them",
    ).toEqual([]);
    expect(
      Object.keys(PROCEDURES).filter((p) => !actual.includes(p)),
      "entries in PROCEDURES for procedures that no longer exist",
    ).toEqual([]);
    expect(Object.values(procedureTypes()).filter((t) => t === "subscription")).toEqual([]);
  });

  it("lists every route handler under src/app/api, and nothing else", async () => {
    const actual = await discoverRoutes();
    expect(actual.length).toBeGreaterThanOrEqual(6);
    expect(
      actual.filter((r) => !(r in ROUTES)),
      "route handlers without an entry in ROUTES: classify them",
    ).toEqual([]);
    expect(
      Object.keys(ROUTES).filter((r) => !actual.includes(r)),
      "entries in ROUTES for handlers that no longer exist",
    ).toEqual([]);
  });
});

// ---- the app and its keys ------------------------------------------------------

let t: TestDatabase;
let app: AppServer;
const keys = {} as Record<KeyKind | "revoked", string>;
const fixtures = {} as Fixtures;
const CANARY = "zq-canary-row-9d1f";
const UNKNOWN_KEY = "xmk_0000000000_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA";
const MALFORMED = [
  "Basic dXNlcjpwYXNz",
  "Bearer",
  "xmk_0000000000_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
  "Bearer two tokens",
  "Bearer xmk_short",
];
/** Everything secret this test ever held: no error body may contain any of it. */
const secrets: string[] = [];
/** The secret part of a key (after `xmk_<10-char prefix>_`; it may itself contain `_`). */
const secretOf = (key: string) => key.slice("xmk_0123456789_".length);

beforeAll(async () => {
  t = await createTestDatabase();
  const admin = await principalFor(t.db, "admin");
  keys.admin = admin.key;
  keys.ingest = (await principalFor(t.db, "ingest")).key;
  keys.reader = (await principalFor(t.db, "reader")).key;
  keys["ingest-bound"] = (await principalFor(t.db, "ingest", { collector: COLLECTOR })).key;
  keys["ingest-other"] = (await principalFor(t.db, "ingest", { collector: "elsewhere-box" })).key;
  const revoked = await principalFor(t.db, "reader");
  await revokeApiKey(t.db, revoked.keyPrefix);
  keys.revoked = revoked.key;
  fixtures.spareKeyPrefix = (await principalFor(t.db, "reader")).keyPrefix;
  secrets.push(...Object.values(keys).map(secretOf));

  // Rows whose contents must never show up in an error body.
  const at = "2026-11-27T12:00:00.000Z";
  const [post] = makePosts(1, { seed: 7, firstId: 1_777_000_000_000_000_001n, at: Date.parse(at) });
  const runId = `${CANARY}-run`;
  const seed = callerFor(t.db, admin);
  await seed.ingest.push({
    idempotencyKey: "matrix-seed",
    collector: `${CANARY}-box`,
    mode: "priority",
    posts: [{ ...post!, body: `${CANARY} body`, run_id: runId }],
    pipelineRuns: [{ run_id: runId, mode: "priority", run_at: at, status: "success", updated_at: at }],
  });
  const cutover = await seed.cutover.start({
    label: `${CANARY}-label`,
    collector: COLLECTOR,
    operator: "matrix",
    startedAt: at,
  });
  Object.assign(fixtures, { canaryStatusId: post!.status_id, runId, cutoverId: cutover.id, at });

  app = await startAppServer({ databaseUrl: t.url });
}, 180_000);

afterAll(async () => {
  await app?.stop();
  await t?.drop();
});

// ---- calling ------------------------------------------------------------------

type Credential = { headers: Record<string, string> };
type Answer = { status: number; text: string; json: unknown };

let counter = 0;

async function send(
  method: string,
  urlPath: string,
  credential: Credential,
  body?: string,
  extra: Record<string, string> = {},
): Promise<Answer> {
  const response = await fetch(`${app.baseUrl}${urlPath}`, {
    method,
    headers: { ...(body !== undefined ? { "content-type": "application/json" } : {}), ...credential.headers, ...extra },
    ...(body !== undefined ? { body } : {}),
    redirect: "manual",
  });
  const text = await response.text();
  let json: unknown = null;
  try {
    json = JSON.parse(text);
  } catch {
    // checked by the caller
  }
  return { status: response.status, text, json };
}

function callProcedure(name: string, credential: Credential, extra: Record<string, string> = {}): Promise<Answer> {
  const type = procedureTypes()[name]!;
  const spec = PROCEDURES[name]!;
  const input = spec.input?.(fixtures, ++counter);
  const serialized = input === undefined ? undefined : JSON.stringify(superjson.serialize(input));
  if (type === "query") {
    return send(
      "GET",
      `/api/trpc/${name}${serialized === undefined ? "" : `?input=${encodeURIComponent(serialized)}`}`,
      credential,
      undefined,
      extra,
    );
  }
  return send("POST", `/api/trpc/${name}`, credential, serialized ?? "{}", extra);
}

function callRoute(route: string, credential: Credential, extra: Record<string, string> = {}): Promise<Answer> {
  const spec = ROUTES[route] as RouteExpectation;
  const [method, template] = route.split(" ") as [string, string];
  return send(method, spec.url?.(fixtures) ?? template, credential, spec.body?.(fixtures, ++counter), extra);
}

function expectedStatus(spec: Expectation, who: Who, via: "bearer" | "session" = "bearer"): number {
  const ok = spec.ok ?? 200;
  if (spec.allowed === "public") return ok;
  if (who === "none" || who === "malformed" || who === "unknown" || who === "revoked") return 401;
  // An ingest key's console session (opened before sign-in was refused to it) has ended.
  if (via === "session" && INGEST_KINDS.includes(who)) return 401;
  return spec.allowed.includes(who) ? ok : 403;
}

/** An error body: the error and nothing else, no row data, no key material, no stack. */
function expectBareError(answer: Answer, context: string, shape: "trpc" | "rest") {
  expect(answer.json, `${context}: error body is JSON`).not.toBeNull();
  const body = answer.json as Record<string, unknown>;
  expect(Object.keys(body), context).toEqual(["error"]);
  if (shape === "trpc") {
    const error = (body.error as { json: Record<string, unknown> }).json;
    expect(Object.keys(error).sort(), context).toEqual(["code", "data", "message"]);
    expect(
      Object.keys(error.data as object).filter((k) => !["code", "httpStatus", "path"].includes(k)),
      context,
    ).toEqual([]);
  } else {
    expect(Object.keys(body.error as object).sort(), context).toEqual(["code", "message"]);
  }
  expect(answer.text.length, `${context}: short`).toBeLessThan(800);
  expect(answer.text, context).not.toContain(CANARY);
  expect(answer.text, context).not.toMatch(/xmk_[a-z0-9]{10}_[A-Za-z0-9_-]{8,}/);
  expect(answer.text, context).not.toMatch(/\bat .+\.(js|ts):\d+/);
  for (const secret of secrets) expect(answer.text, context).not.toContain(secret);
}

function expectAnswer(answer: Answer, expected: number, context: string, shape: "trpc" | "rest", errorCode?: string) {
  expect(answer.status, `${context}: status`).toBe(expected);
  if (expected >= 400) {
    // Past auth an allowed caller may still get an error (a 404 for a row that is not there): bare all the same.
    expectBareError(answer, context, shape);
    if (expected !== 401 && expected !== 403) return;
    const code =
      shape === "trpc"
        ? (answer.json as { error: { json: { data: { code: string } } } }).error.json.data.code
        : (answer.json as { error: { code: string } }).error.code;
    expect(code, context).toBe(errorCode ?? (expected === 401 ? "UNAUTHORIZED" : "FORBIDDEN"));
  } else if (shape === "trpc") {
    expect(answer.json, context).toHaveProperty("result.data");
  }
}

// ---- bearer keys ---------------------------------------------------------------

function bearer(who: Who, n: number): Credential {
  switch (who) {
    case "none":
      return { headers: {} };
    case "malformed":
      return { headers: { authorization: MALFORMED[n % MALFORMED.length]! } };
    case "unknown":
      return { headers: { authorization: `Bearer ${UNKNOWN_KEY}` } };
    default:
      return { headers: { authorization: `Bearer ${keys[who]}` } };
  }
}

describe("Authorization: Bearer", () => {
  it("every procedure answers each caller as the table says", async () => {
    let n = 0;
    for (const [name, spec] of Object.entries(PROCEDURES)) {
      const answers = await Promise.all(WHO.map((who) => callProcedure(name, bearer(who, n++))));
      WHO.forEach((who, i) => expectAnswer(answers[i]!, expectedStatus(spec, who), `${name} as ${who}`, "trpc"));
    }
  });

  it("every route handler answers each caller as the table says", async () => {
    let n = 0;
    for (const [route, spec] of Object.entries(ROUTES)) {
      if (spec === "trpc") continue;
      const answers = await Promise.all(WHO.map((who) => callRoute(route, bearer(who, n++))));
      WHO.forEach((who, i) => expectAnswer(answers[i]!, expectedStatus(spec, who), `${route} as ${who}`, "rest"));
    }
  });

  it("names no key and echoes no secret in refusals, whatever the header", async () => {
    const answers = await Promise.all([
      send("GET", "/api/trpc/keys.list", { headers: { authorization: `Bearer ${keys.reader}x` } }),
      send("GET", "/api/v1/posts/1", { headers: { authorization: `Bearer ${keys.ingest} ${keys.admin}` } }),
      send("GET", "/api/trpc/no.such.procedure", { headers: { authorization: `Bearer ${keys.admin}` } }),
    ]);
    expect(answers.map((a) => a.status)).toEqual([401, 401, 404]);
    answers.forEach((a, i) => expectBareError(a, `case ${i}`, i === 1 ? "rest" : "trpc"));
  });
});

// ---- console session cookie -----------------------------------------------------

/** Signs in through the login page's form as a browser without JavaScript would; the session cookie, or null. */
async function signIn(apiKey: string): Promise<{ status: number; cookie: string | null; text: string }> {
  const page = await fetch(`${app.baseUrl}/login`);
  const html = await page.text();
  const form = html.slice(html.indexOf("<form"), html.indexOf("</form>"));
  const data = new FormData();
  const unescape = (s: string) =>
    s
      .replace(/&quot;/g, '"')
      .replace(/&#x27;/g, "'")
      .replace(/&lt;/g, "<")
      .replace(/&gt;/g, ">")
      .replace(/&amp;/g, "&");
  for (const m of form.matchAll(/<input type="hidden" name="([^"]+)"(?: value="([^"]*)")?/g))
    data.append(unescape(m[1]!), unescape(m[2] ?? ""));
  expect([...data.keys()]).toContain("next");
  data.append("apiKey", apiKey);
  const response = await fetch(`${app.baseUrl}/login`, {
    method: "POST",
    body: data,
    redirect: "manual",
    headers: { origin: app.baseUrl },
  });
  const cookie = /xm_session=([^;]+)/.exec(response.headers.get("set-cookie") ?? "")?.[1] ?? null;
  return { status: response.status, cookie, text: await response.text() };
}

const sessions = {} as Record<Who, Credential>;
const CSRF = { "x-xmonitor-csrf": "1" };

describe("console session cookie", () => {
  beforeAll(async () => {
    for (const kind of CONSOLE) {
      const { status, cookie } = await signIn(keys[kind]);
      expect(status).toBe(303);
      expect(cookie).toMatch(/^[A-Za-z0-9_-]{43}$/);
      sessions[kind] = { headers: { cookie: `xm_session=${cookie}` } };
      secrets.push(cookie!);
    }
    // Ingest keys cannot sign in; give each the session an older release would have opened for it.
    for (const kind of INGEST_KINDS) {
      const token = randomBytes(32).toString("base64url");
      const prefix = keys[kind].slice(0, "xmk_0123456789".length);
      const key = await t.db.apiKey.findUniqueOrThrow({ where: { keyPrefix: prefix } });
      await t.db.consoleSession.create({
        data: {
          tokenHash: createHash("sha256").update(token).digest("hex"),
          apiKeyId: key.id,
          expiresAt: new Date(Date.now() + 3_600_000),
        },
      });
      sessions[kind] = { headers: { cookie: `xm_session=${token}` } };
      secrets.push(token);
    }
    // A session whose key is revoked after sign-in.
    const doomed = await principalFor(t.db, "admin");
    const signedIn = await signIn(doomed.key);
    await revokeApiKey(t.db, doomed.keyPrefix);
    secrets.push(secretOf(doomed.key), signedIn.cookie!);
    sessions.revoked = { headers: { cookie: `xm_session=${signedIn.cookie}` } };
    sessions.none = { headers: {} };
    sessions.malformed = { headers: { cookie: "xm_session=' or 1=1 --" } };
    sessions.unknown = { headers: { cookie: `xm_session=${"A".repeat(43)}` } };
  });

  it("refuses to sign in with a revoked or unknown key, and sets no cookie", async () => {
    for (const [key, reason] of [
      [keys.revoked, "was revoked"],
      [UNKNOWN_KEY, "Invalid API key"],
      ["not a key", "That is not an API key"],
      ...INGEST_KINDS.map(
        (kind) => [keys[kind], "Ingest keys are for collectors and cannot sign in to the console"] as const,
      ),
    ] as const) {
      const answer = await signIn(key);
      expect(answer.status, key).toBe(200);
      expect(answer.cookie, key).toBeNull();
      expect(answer.text, key).toContain(reason);
      expect(answer.text, key).not.toContain(key.startsWith("xmk_") ? secretOf(key) : key);
    }
  });

  it("every procedure answers each session as the table says (mutations with the CSRF header)", async () => {
    for (const [name, spec] of Object.entries(PROCEDURES)) {
      const extra = procedureTypes()[name] === "mutation" ? CSRF : {};
      const answers = await Promise.all(WHO.map((who) => callProcedure(name, sessions[who], extra)));
      WHO.forEach((who, i) =>
        expectAnswer(answers[i]!, expectedStatus(spec, who, "session"), `${name} as ${who} session`, "trpc"),
      );
    }
  });

  it("every route handler answers each session as the table says", async () => {
    for (const [route, spec] of Object.entries(ROUTES)) {
      if (spec === "trpc") continue;
      const answers = await Promise.all(
        WHO.map((who) => callRoute(route, sessions[who], route.startsWith("POST") ? CSRF : {})),
      );
      WHO.forEach((who, i) =>
        expectAnswer(answers[i]!, expectedStatus(spec, who, "session"), `${route} as ${who} session`, "rest"),
      );
    }
  });

  it("refuses a cookie-authenticated mutation without proof of origin (CSRF), and writes nothing", async () => {
    const keysBefore = await t.db.apiKey.count();
    const batchesBefore = await t.db.ingestBatch.count();
    const crossSite: Record<string, string>[] = [{}, { origin: "https://evil.example" }, { "x-xmonitor-csrf": "0" }];
    for (const extra of crossSite) {
      const created = await callProcedure("keys.create", sessions.admin, extra);
      expectAnswer(created, 403, `keys.create cross-site ${JSON.stringify(extra)}`, "trpc");
      expect(created.text).toContain("Cross-site request refused");
      const pushed = await callProcedure("ingest.push", sessions.admin, extra);
      expectAnswer(pushed, 403, `ingest.push cross-site ${JSON.stringify(extra)}`, "trpc");
      const rest = await callRoute("POST /api/v1/ingest", sessions.admin, extra);
      expectAnswer(rest, 403, `POST /api/v1/ingest cross-site ${JSON.stringify(extra)}`, "rest");
    }
    expect(await t.db.apiKey.count()).toBe(keysBefore);
    expect(await t.db.ingestBatch.count()).toBe(batchesBefore);
    // The same session with proof of origin (our own page's header or Origin) may change things.
    expect((await callProcedure("keys.create", sessions.admin, CSRF)).status).toBe(200);
    expect((await callProcedure("keys.create", sessions.admin, { origin: app.baseUrl })).status).toBe(200);
    expect(await t.db.apiKey.count()).toBe(keysBefore + 2);
    // Reads need no such proof: a cross-site read is still only readable by the browser's own origin.
    expect((await callProcedure("runs.list", sessions.reader, { origin: "https://evil.example" })).status).toBe(200);
  });
});
