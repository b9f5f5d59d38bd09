// The auth matrix's policy: every tRPC procedure and every route handler,
// who may call it, and a minimal valid input; and the surface as the app
// has it (the router's procedures, the route handlers under src/app/api).
// test/security/auth-matrix.test.ts checks the running app against the
// policy, and fails for anything unlisted here.
import { readdirSync } from "node:fs";
import path from "node:path";
import { appRouter } from "../../src/server/api/root";
import { projectRoot } from "../../scripts/lib/project-root";
/** The collector every input below names; `ingest-bound` is bound to it, `ingest-other` to another collector. */
export const COLLECTOR = "matrix-box";
export type Role = "admin" | "ingest" | "reader";
/** A live key: one per role, plus ingest keys bound to a collector. */
export type KeyKind = Role | "ingest-bound" | "ingest-other";
export const KEY_KINDS: readonly KeyKind[] = ["admin", "ingest", "ingest-bound", "ingest-other", "reader"];
export const INGEST_KINDS: readonly KeyKind[] = ["ingest", "ingest-bound", "ingest-other"];
/** The console's reads: people's keys only. */
export const CONSOLE = ["admin", "reader"] as const satisfies readonly KeyKind[];
/** Reads the collector itself makes. */
export const COLLECTOR_READ = KEY_KINDS;
/** Collector calls that name no collector. */
export const INGEST = ["admin", "ingest", "ingest-bound", "ingest-other"] as const satisfies readonly KeyKind[];
/** Collector calls for COLLECTOR: a key bound to another collector is refused. */
export const FOR_COLLECTOR = ["admin", "ingest", "ingest-bound"] as const satisfies readonly KeyKind[];
/** Reads of COLLECTOR's rows: people's keys and ingest keys, except one bound to another collector. */
export const READ_FOR_COLLECTOR = ["admin", "ingest", "ingest-bound", "reader"] as const satisfies readonly KeyKind[];
export const ADMIN = ["admin"] as const satisfies readonly KeyKind[];

export type Fixtures = { canaryStatusId: string; runId: string; cutoverId: string; spareKeyPrefix: string; at: string };
export type Expectation = {
  /** "public": anyone, even with a broken credential; otherwise the keys that may call it. */
  allowed: "public" | readonly KeyKind[];
  /** Minimal valid input for an allowed caller. */
  input?: (f: Fixtures, n: number) => unknown;
  /** What an allowed caller gets with that input (default 200). */
  ok?: number;
};

export const fullTables = Object.fromEntries(
  ["posts", "reports", "pipelineRuns", "watchAccounts", "embeddings", "windowSummaries", "narrativeShifts"].map((t) => [
    t,
    { local: 0, server: 0, delta: 0 },
  ]),
);

/** Every tRPC procedure and who may call it. */
export const PROCEDURES: Record<string, Expectation> = {
  "cutover.start": {
    allowed: FOR_COLLECTOR,
    input: (f) => ({ label: "matrix", collector: COLLECTOR, operator: "matrix", startedAt: f.at }),
  },
  "cutover.recordStep": {
    allowed: FOR_COLLECTOR,
    input: (f) => ({ cutoverId: f.cutoverId, step: { step: "freeze", status: "succeeded", startedAt: f.at } }),
  },
  "cutover.list": { allowed: CONSOLE, input: () => ({}) },
  "cutover.byId": { allowed: CONSOLE, input: (f) => ({ id: f.cutoverId }) },
  "cutover.rowsByKeys": { allowed: COLLECTOR_READ, input: (f) => ({ table: "posts", keys: [f.canaryStatusId] }) },
  "cutover.keysPage": { allowed: COLLECTOR_READ, input: () => ({ table: "posts", limit: 10 }) },
  "health.ping": { allowed: "public" },
  "health.byCollector": { allowed: CONSOLE },
  "health.timeline": { allowed: CONSOLE, input: () => ({}) },
  "ingest.push": {
    allowed: FOR_COLLECTOR,
    input: (_f, n) => ({ idempotencyKey: `matrix-${n}`, collector: COLLECTOR, mode: "priority", posts: [] }),
  },
  "ingest.access": { allowed: INGEST },
  // The cutover's check before sending a chunk: COLLECTOR's rows only, read through the key's range.
  "ingest.held": {
    allowed: FOR_COLLECTOR,
    input: (f) => ({
      table: "posts",
      collector: COLLECTOR,
      firstKey: f.canaryStatusId,
      lastKey: f.canaryStatusId,
      rows: 1,
    }),
  },
  // Its chunk only ever arrives through POST /api/v1/ingest/bulk: over tRPC an allowed key gets a 400 saying so.
  "ingest.bulk": { allowed: INGEST, ok: 400, input: () => ({ table: "posts" }) },
  "ingest.reportFailure": {
    allowed: FOR_COLLECTOR,
    input: () => ({ collector: COLLECTOR, mode: "priority", error: "matrix", attempts: 1 }),
  },
  "keys.list": { allowed: ADMIN },
  "keys.create": { allowed: ADMIN, input: () => ({ name: "matrix-created", role: "reader" }) },
  "keys.revoke": { allowed: ADMIN, input: (f) => ({ prefix: f.spareKeyPrefix }) },
  "overview.summary": { allowed: CONSOLE },
  "posts.byStatusId": { allowed: COLLECTOR_READ, input: (f) => ({ statusId: f.canaryStatusId }) },
  "posts.list": { allowed: CONSOLE, input: () => ({}) },
  "posts.spotCheck": { allowed: CONSOLE, input: (f) => ({ statusId: f.canaryStatusId }) },
  "reconcile.counts": { allowed: COLLECTOR_READ, input: () => ({}) },
  "reconcile.record": {
    allowed: FOR_COLLECTOR,
    input: (f) => ({ collector: COLLECTOR, checkedAt: f.at, passed: true, tables: fullTables }),
  },
  "reconcile.segments": {
    allowed: READ_FOR_COLLECTOR,
    input: () => ({ table: "posts", collector: COLLECTOR, bounds: [], segments: [0] }),
  },
  "reconcile.rowHashes": {
    allowed: READ_FOR_COLLECTOR,
    input: () => ({ table: "posts", collector: COLLECTOR, bounds: [], segments: [0] }),
  },
  "reconcile.history": { allowed: CONSOLE, input: () => ({}) },
  "reconcile.collectors": { allowed: CONSOLE },
  "runs.list": { allowed: CONSOLE, input: () => ({}) },
  "runs.byId": { allowed: COLLECTOR_READ, input: (f) => ({ runId: f.runId }) },
  "runs.removalPreview": { allowed: ADMIN, input: (f) => ({ runId: f.runId }) },
  // A run that does not exist: an admin gets past auth to the 404, and the fixture run stays.
  "runs.remove": { allowed: ADMIN, input: () => ({ runId: "matrix-no-such-run", reason: "matrix" }), ok: 404 },
  "runs.removals": { allowed: CONSOLE, input: () => ({}) },
};

export type RouteExpectation = Expectation & {
  url?: (f: Fixtures) => string;
  body?: (f: Fixtures, n: number) => string;
};
/** Every route handler (`METHOD /path` as its folder spells it) and who may call it; "trpc" is the procedure table above. */
export const ROUTES: Record<string, RouteExpectation | "trpc"> = {
  "GET /api/healthz": { allowed: "public" },
  "GET /api/openapi.json": { allowed: "public" },
  "GET /api/trpc/[trpc]": "trpc",
  "POST /api/trpc/[trpc]": "trpc",
  "POST /api/v1/ingest": {
    allowed: FOR_COLLECTOR,
    body: (_f, n) =>
      JSON.stringify({ idempotencyKey: `matrix-rest-${n}`, collector: COLLECTOR, mode: "priority", posts: [] }),
  },
  "POST /api/v1/ingest/bulk": {
    allowed: FOR_COLLECTOR,
    url: () => `/api/v1/ingest/bulk?table=posts&idempotencyKey=matrix-bulk&collector=${COLLECTOR}&mode=priority`,
    body: () => "",
  },
  "GET /api/v1/ops/reconcile-counts": { allowed: COLLECTOR_READ },
  "GET /api/v1/posts/[statusId]": { allowed: COLLECTOR_READ, url: (f) => `/api/v1/posts/${f.canaryStatusId}` },
};

const HTTP_METHODS = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"];

/** `METHOD /api/...` for every exported handler of every route.ts under src/app/api. */
export async function discoverRoutes(): Promise<string[]> {
  const apiDir = path.join(projectRoot, "src", "app", "api");
  const files = (readdirSync(apiDir, { recursive: true }) as string[]).filter((f) => path.basename(f) === "route.ts");
  const found: string[] = [];
  for (const file of files) {
    const mod = (await import(path.join(apiDir, file))) as Record<string, unknown>;
    const route = `/api/${path.dirname(file).split(path.sep).join("/")}`;
    for (const method of HTTP_METHODS) if (typeof mod[method] === "function") found.push(`${method} ${route}`);
  }
  return found.sort();
}

export function procedureTypes(): Record<string, "query" | "mutation" | "subscription"> {
  // At run time tRPC 11 keeps every procedure flat under its dotted path ("keys.list").
  const procedures = appRouter._def.procedures as unknown as Record<
    string,
    { _def: { type: "query" | "mutation" | "subscription" } }
  >;
  return Object.fromEntries(Object.entries(procedures).map(([name, p]) => [name, p._def.type]));
}
