// `collector runs remove` against the real app: an admin key previews, then
// removes a synthetic run with its reason; other keys are refused.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, expect, it } from "vitest";
import { createTestDatabase, type TestDatabase } from "../support/database";
import { callerFor, principalFor } from "../support/fixtures";
import { startAppServer, type AppServer } from "../support/app-server";
import { collectorFiles } from "../support/collector-env";
import { parseCollectorEnv } from "../../src/collector/config";
import { createCollectorContext, type CollectorContext } from "../../src/collector/context";
import { PREVIEW_ONLY_EXIT_CODE, runsRemoveCommand } from "../../src/collector/commands/runs";
import { createMemoryLog } from "../../src/collector/log";

let t: TestDatabase;
let app: AppServer;
let dir: string;
const runId = "smoke-manual-2026-02-26";
const at = "2026-02-26T00:00:00.000Z";

beforeAll(async () => {
  t = await createTestDatabase();
  app = await startAppServer({ databaseUrl: t.url });
  dir = mkdtempSync(path.join(tmpdir(), "xm-runs-remove-"));
  // The row an ingest auth smoke test leaves: a manual run pushed by hand.
  await callerFor(t.db, await principalFor(t.db, "admin")).ingest.push({
    idempotencyKey: "smoke-test",
    collector: "smoke-box",
    mode: "manual",
    runId,
    pipelineRuns: [{ run_id: runId, mode: "manual", run_at: at, status: "success", updated_at: at }],
  });
}, 180_000);

afterAll(async () => {
  await app?.stop();
  await t?.drop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

function context(key: string): CollectorContext & { lines: string[] } {
  const log = createMemoryLog();
  const ctx = createCollectorContext(
    parseCollectorEnv({
      ...collectorFiles(dir),
      XMONITOR_API_BASE_URL: app.baseUrl,
      XMONITOR_API_KEY: key,
      XMONITOR_INGEST_MAX_ATTEMPTS: "1",
    }),
    { log },
  );
  return Object.assign(ctx, { lines: log.lines });
}

it("previews without --yes, removes with it, and records the reason; reader and ingest keys are refused", async () => {
  const admin = context((await principalFor(t.db, "admin")).key);
  const preview = await runsRemoveCommand(admin, { runId, reason: "ingest auth smoke test row", yes: false });
  expect(preview.exitCode).toBe(PREVIEW_ONLY_EXIT_CODE);
  expect(admin.lines.join("\n")).toContain(
    `run ${runId} (manual, collector smoke-box, started 2026-02-26T00:00:00.000Z, success): removing it takes the run and 0 report(s); 1 ingest batch(es) and 0 post(s) stay`,
  );
  expect(await t.db.pipelineRun.count({ where: { runId } })).toBe(1);

  for (const role of ["reader", "ingest"] as const) {
    const other = context((await principalFor(t.db, role)).key);
    expect((await runsRemoveCommand(other, { runId, reason: "not mine", yes: true })).exitCode).toBe(1);
    expect(other.lines.join("\n")).toMatch(new RegExp(`runs remove ${runId} failed: server answered 403`));
  }
  expect(await t.db.pipelineRun.count({ where: { runId } })).toBe(1);

  const removed = await runsRemoveCommand(admin, { runId, reason: "ingest auth smoke test row", yes: true });
  expect(removed.exitCode).toBe(0);
  expect(admin.lines.join("\n")).toMatch(
    new RegExp(`removed run ${runId} and 0 report\\(s\\); recorded as removal [0-9a-f-]{36} with the reason`),
  );
  expect(await t.db.pipelineRun.count({ where: { runId } })).toBe(0);
  expect(await t.db.removal.findFirstOrThrow({ where: { key: runId } })).toMatchObject({
    reason: "ingest auth smoke test row",
    collector: "smoke-box",
  });

  // Gone: a second removal says so.
  expect((await runsRemoveCommand(admin, { runId, reason: "again", yes: true })).exitCode).toBe(1);
  expect(admin.lines.at(-1)).toContain(`No run ${runId} on the server`);
});
