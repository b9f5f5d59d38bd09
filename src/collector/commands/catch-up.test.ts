// catch-up writes to the server like a run, so the cutover's freeze must see
// it: it holds the run lock while it pushes, and releases it when done.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterEach, beforeEach, expect, it } from "vitest";
import { syncTableNames } from "~/shared/schemas/tables";
import { collectorFiles } from "../../../test/support/collector-env";
import { fakeServerClient } from "../../../test/support/fake-server-client";
import { parseCollectorEnv } from "../config";
import { createCollectorContext } from "../context";
import { createMemoryLog } from "../log";
import { listRunsInProgress } from "../scheduler/run-lock";
import { catchUpCommand } from "./catch-up";

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(path.join(tmpdir(), "xm-catch-up-"));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

it("holds the run lock while it pushes, so a freeze waits for it, and releases it when done", async () => {
  const ctx = createCollectorContext(parseCollectorEnv({ ...collectorFiles(dir), XMONITOR_API_KEY: "xmk_unused" }), {
    log: createMemoryLog(),
  });
  let answerAccess: () => void = () => undefined;
  let accessAsked: () => void = () => undefined;
  const asked = new Promise<void>((resolve) => (accessAsked = resolve));
  ctx.api = fakeServerClient({
    access: () =>
      new Promise((resolve) => {
        answerAccess = () =>
          resolve({ role: "ingest", keyPrefix: "xmk_fake", collector: null, writableTables: [...syncTableNames] });
        accessAsked();
      }),
  });
  const lockDir = path.join(dir, "running");

  const done = catchUpCommand(ctx, { since: "2026-11-28T00:00:00Z" });
  await asked;
  expect(listRunsInProgress({ dir: lockDir }).map((r) => [r.job, r.detail])).toEqual([
    ["catch-up", "2026-11-28T00:00:00Z"],
  ]);
  answerAccess();
  expect((await done).exitCode).toBe(0);
  expect(listRunsInProgress({ dir: lockDir })).toEqual([]);
  ctx.store.close();
});
