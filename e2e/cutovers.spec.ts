// A real cutover driven through the collector CLI against the app under
// test, on a legacy SQLite file with the counts operators reported (707
// tweets, 441 reports, 460 runs, 44 watch accounts, 705 embeddings): snapshot,
// export, import pass 1 with an ingest key, pass 2 with an admin key,
// validate, removal of a synthetic run, validate again. Then /cutovers/[id]
// must show what the tool recorded: signed deltas (server − snapshot), each
// pass's figures, reject reasons by table and every validate report.
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import type { Locator } from "@playwright/test";
import { buildLegacyDatabase, LEGACY_COUNTS } from "../test/support/legacy-fixture";
import { collectorFiles } from "../test/support/collector-env";
import { expect, test, trpcCall } from "./fixtures";

const COUNTS = LEGACY_COUNTS;
const SMOKE_RUN = "e2e-cutover-smoke-run";
const collectorBin = path.resolve(import.meta.dirname, "../bin/xmonitor-collector.js");
/** SQLite table → the catalog table whose server total it is compared with, and its console label. */
const TABLES = [
  ["tweets", "posts", "Posts"],
  ["reports", "reports", "Reports"],
  ["runs", "pipelineRuns", "Runs"],
  ["watch_accounts", "watchAccounts", "Watch accounts"],
  ["tweet_embeddings", "embeddings", "Embeddings"],
  ["window_summaries", "windowSummaries", "Window summaries"],
  ["narrative_shifts", "narrativeShifts", "Narrative shifts"],
] as const;

type Cli = { code: number | null; stdout: string; stderr: string };

/** The collector's own executable, as an operator runs it (blocking: the app under test is another process). */
function runCollector(args: string[], env: Record<string, string>, cwd: string): Cli {
  const out = spawnSync(process.execPath, [collectorBin, ...args], {
    cwd,
    env: { PATH: process.env.PATH ?? "", HOME: cwd, NODE_ENV: "production", NO_COLOR: "1", ...env },
    encoding: "utf8",
    timeout: 120_000,
  });
  return { code: out.status, stdout: out.stdout, stderr: out.stderr };
}

const data = (body: unknown) => (body as { result: { data: { json: unknown } } }).result.data.json;
const fmt = (n: number) => n.toLocaleString("en-US");
const signed = (n: number) => (n > 0 ? `+${fmt(n)}` : fmt(n));

async function expectRow(table: Locator, label: string, cells: string[], flagged: boolean) {
  const row = table.getByRole("row", { name: new RegExp(`^${label}\\b`) });
  await expect(row.getByRole("cell")).toHaveText(cells);
  if (flagged) await expect(row).toHaveAttribute("data-flagged", "true");
  else await expect(row).not.toHaveAttribute("data-flagged");
}

test("a real cutover through the CLI shows on /cutovers/[id] as the tool recorded it", async ({
  page,
  state,
  signIn,
  snap,
  baseURL,
}, testInfo) => {
  test.setTimeout(240_000);
  const dir = mkdtempSync(path.join(tmpdir(), "xm-e2e-cutover-"));
  try {
    // The server already holds other collectors' rows (the demo seed): validate compares this
    // collector's rows only (docs/decisions/012), so they never show as deltas.
    const before = await trpcCall(page, state.adminKey, "query", "reconcile.counts", {});
    expect(before.status).toBe(200);
    const serverBefore = (data(before.body) as { tables: Record<string, { total: number }> }).tables;
    expect(serverBefore.posts!.total).toBeGreaterThan(0);
    const created = await trpcCall(page, state.adminKey, "mutation", "keys.create", {
      name: "e2e-cutover-ingest",
      role: "ingest",
      collector: "legacy-box",
    });
    expect(created.status).toBe(200);
    const ingestKey = (data(created.body) as { key: string }).key;

    buildLegacyDatabase(path.join(dir, "x_monitor.db"), COUNTS, { seed: 11 });
    const env = {
      ...collectorFiles(dir),
      XMONITOR_HOME: dir,
      XMONITOR_API_BASE_URL: baseURL!,
      XMONITOR_API_KEY: ingestKey,
      XMONITOR_COLLECTOR_NAME: "legacy-box",
      XMONITOR_INGEST_BATCH_SIZE: "200",
    };
    const admin = { ...env, XMONITOR_API_KEY: state.adminKey };
    const cli = async (args: string[], expected: number, withEnv: Record<string, string> = env) => {
      const out = runCollector(args, withEnv, dir);
      await testInfo.attach(`collector ${args.join(" ")}`, { body: `${out.stdout}\n${out.stderr}` });
      expect(out.code, `collector ${args.join(" ")}\n${out.stdout}\n${out.stderr}`).toBe(expected);
      return out;
    };

    await cli(["cutover", "--label", "legacy-box e2e cutover", "snapshot"], 0);
    await cli(["cutover", "export"], 0);
    // Pass 1 (ingest key): the tables it may not write are rejected; the import ends with the reasons.
    const pass1 = await cli(["--json", "cutover", "import"], 1);
    const events = pass1.stdout
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l) as { event?: string; rejectReasons?: unknown; message: string });
    expect(events.find((e) => e.event === "reject_reasons")?.rejectReasons).toEqual({
      watch_accounts: { "permission denied for table watch_accounts": 44 },
      embeddings: { "permission denied for table embeddings": 705 },
    });
    const pass2 = await cli(["cutover", "import"], 0, admin);
    expect(pass2.stdout.trimEnd().split("\n").at(-1)).toBe("import pass 2 rejects by table and reason: none");

    // A synthetic run left on the server under this collector's name by a smoke test: the first validate
    // counts it, it is removed, validate again.
    const pushed = await trpcCall(page, state.adminKey, "mutation", "ingest.push", {
      idempotencyKey: `${SMOKE_RUN}-push`,
      collector: "legacy-box",
      mode: "manual",
      runId: SMOKE_RUN,
      pipelineRuns: [
        {
          run_id: SMOKE_RUN,
          mode: "manual",
          run_at: "2026-02-26T00:00:00Z",
          status: "success",
          updated_at: "2026-02-26T00:00:00Z",
        },
      ],
    });
    expect(pushed.status).toBe(200);
    await cli(["cutover", "validate"], 1);
    await cli(
      ["runs", "remove", SMOKE_RUN, "--reason", "synthetic row left by the ingest auth smoke test", "--yes"],
      0,
      admin,
    );
    await cli(["cutover", "validate"], 0);

    const { cutoverId } = JSON.parse(readFileSync(path.join(dir, "cutover.state.json"), "utf8")) as {
      cutoverId: string;
    };
    await signIn("reader");
    await page.goto("/cutovers");
    await page.getByRole("link", { name: "legacy-box e2e cutover" }).click();
    await expect(page).toHaveURL(new RegExp(`/cutovers/${cutoverId}$`));
    await expect(page.getByRole("heading", { name: "legacy-box e2e cutover" })).toBeVisible();
    await expect(page.getByText("Import results")).toHaveCount(0);

    const exported = page.getByTestId("step-export").getByTestId("export-table");
    await expect(exported.locator("caption")).toHaveText("Export: rows written per table");
    await expect(
      exported
        .getByRole("row", { name: /^Posts\b/ })
        .getByRole("cell")
        .first(),
    ).toHaveText("707");

    // Pass 1, ingest key: inserted/updated/unchanged/rejected per table, reasons by table.
    const p1 = page.getByTestId("step-import-1");
    await expect(p1.getByRole("heading")).toHaveText("Import — pass 1");
    await expect(p1).toContainText("Rejected: 749");
    const t1 = p1.getByTestId("import-table-1");
    await expect(t1.locator("caption")).toHaveText("Pass 1 (ingest key): rows per table");
    await expectRow(t1, "Posts", ["707", "0", "0", "0"], false);
    await expectRow(t1, "Watch accounts", ["0", "0", "0", "44"], true);
    await expectRow(t1, "Embeddings", ["0", "0", "0", "705"], true);
    const reasons1 = p1.getByTestId("reject-reasons-1");
    await expect(reasons1.locator("caption")).toHaveText("Pass 1 (ingest key): reject reasons by table");
    await expect(reasons1.locator("tbody tr")).toHaveText([
      /^Watch accounts\s*permission denied for table watch_accounts\s*44$/,
      /^Embeddings\s*permission denied for table embeddings\s*705$/,
    ]);
    // Pass 2, admin key: lands what pass 1 could not, no reject.
    const p2 = page.getByTestId("step-import-2");
    const t2 = p2.getByTestId("import-table-2");
    await expect(t2.locator("caption")).toHaveText("Pass 2 (admin key): rows per table");
    await expectRow(t2, "Watch accounts", ["44", "0", "0", "0"], false);
    await expectRow(t2, "Embeddings", ["705", "0", "0", "0"], false);
    await expectRow(t2, "Posts", ["0", "0", "707", "0"], false);
    await expect(p2.getByTestId("reject-reasons-2")).toHaveText("Reject reasons by table: none (no row rejected).");

    // Every validate report, in order, deltas signed as server − snapshot, non-zero highlighted.
    const legacy: Record<string, number> = {
      tweets: 707,
      reports: 441,
      runs: 460,
      watch_accounts: 44,
      tweet_embeddings: 705,
      window_summaries: 12,
      narrative_shifts: 9,
    };
    for (const [n, smoke] of [
      [1, 1],
      [2, 0],
    ] as const) {
      const step = page.getByTestId(`step-validate-${n}`);
      await expect(step.getByRole("heading")).toHaveText(`Validate counts and spot check — report ${n} of 2`);
      const deltas = step.getByTestId("validate-deltas");
      await expect(deltas.locator("caption")).toContainText("Count deltas (server − snapshot)");
      for (const [sqlite, table, label] of TABLES) {
        const delta = table === "pipelineRuns" ? smoke : 0;
        await expectRow(
          deltas,
          label,
          [fmt(legacy[sqlite]!), fmt(legacy[sqlite]! + delta), signed(delta)],
          delta !== 0,
        );
      }
      const spot = step.getByTestId("validate-spot-check");
      await expectRow(spot, "Posts", ["50", "0", "0", "0"], false);
    }
    await expect(page.getByTestId("step-validate-1")).toContainText(/validate FAIL: .*runs \+\d+/);
    await snap("cutover-real");
    await testInfo.attach("cutover-real", {
      body: await page.screenshot({ fullPage: true }),
      contentType: "image/png",
    });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("the seeded failed cutover says which step failed, with the deltas signed server − snapshot", async ({
  page,
  signIn,
}) => {
  await signIn("reader");
  await page.goto("/cutovers");
  await page.getByRole("link", { name: "ops-mac-mini first attempt" }).click();
  const validate = page.getByTestId("step-validate-1");
  await expect(validate).toContainText("failed");
  await expect(validate).toContainText("validate FAIL: tweets -2");
  const posts = validate.getByTestId("validate-deltas").getByRole("row", { name: /^Posts\b/ });
  await expect(posts.getByRole("cell").last()).toHaveText("-2");
  await expect(posts).toHaveAttribute("data-flagged", "true");
});
