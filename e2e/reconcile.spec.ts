import { expect, test, trpcCall } from "./fixtures";

const tables = [
  "posts",
  "reports",
  "pipelineRuns",
  "watchAccounts",
  "embeddings",
  "windowSummaries",
  "narrativeShifts",
] as const;

function result(checkedAt: string, deltas: Partial<Record<(typeof tables)[number], number>>) {
  return {
    collector: "e2e-reconcile",
    since: new Date(Date.parse(checkedAt) - 86_400_000).toISOString(),
    checkedAt,
    passed: Object.values(deltas).every((d) => d === 0),
    tables: Object.fromEntries(
      tables.map((t) => [t, { local: 100 + (deltas[t] ?? 0), server: 100, delta: deltas[t] ?? 0 }]),
    ),
  };
}

test("a FAIL shows its deltas, then a later PASS replaces it as the latest", async ({ page, signIn, state, snap }) => {
  const day = Date.now() - 2 * 86_400_000;
  const failed = await trpcCall(
    page,
    state.adminKey,
    "mutation",
    "reconcile.record",
    result(new Date(day).toISOString(), { posts: 4, embeddings: 2 }),
  );
  expect(failed.status).toBe(200);

  await signIn("reader");
  await page.goto("/reconcile?collector=e2e-reconcile");
  const latest = page.getByTestId("latest-reconcile");
  await expect(page.getByTestId("latest-verdict")).toHaveText("FAIL");
  await expect(latest.getByRole("row", { name: /Posts/ })).toContainText("+4");
  await expect(latest.getByRole("row", { name: /Embeddings/ })).toContainText("missing on server");
  await snap("reconcile-fail");

  const passed = await trpcCall(
    page,
    state.adminKey,
    "mutation",
    "reconcile.record",
    result(new Date(day + 86_400_000).toISOString(), {}),
  );
  expect(passed.status).toBe(200);
  await page.getByRole("link", { name: "e2e-reconcile" }).click();
  await expect(page.getByTestId("latest-verdict")).toHaveText("PASS");
  await expect(page.getByTestId("reconcile-row")).toHaveCount(2);
  await expect(page.getByTestId("reconcile-row").nth(1)).toContainText("Posts +4, Embeddings +2");
  await expect(page.getByRole("img", { name: "Reconcile deltas over time" })).toBeVisible();
  await snap("reconcile-pass");
});

test("the seeded history shows a failed day, and the server can count now", async ({ page, signIn, snap }) => {
  await signIn("reader");
  await page.goto("/reconcile?collector=ops-laptop");
  await expect(page.getByTestId("latest-verdict")).toHaveText("PASS");
  await expect(page.getByTestId("reconcile-row").filter({ hasText: "FAIL" })).toHaveCount(1);

  await page.getByLabel("Since (UTC)").fill("2006-01-01T00:00");
  await page.getByRole("button", { name: "Count server rows now" }).click();
  const counts = page.getByTestId("count-now-result");
  await expect(counts).toContainText("since 2006-01-01 00:00:00 UTC");
  await expect(counts.getByRole("row", { name: /Posts/ })).toBeVisible();
  await snap("reconcile-history");
});

test("a content check shows beside the counts: segments, keys off, posts linked to their page", async ({
  page,
  signIn,
  state,
  snap,
}) => {
  const none = { total: 0, keys: [] };
  const clean = {
    local: 40,
    server: 40,
    segments: 1,
    missing: none,
    extra: none,
    different: none,
    newerOnServer: none,
  };
  const checkedAt = new Date(Date.now() - 3_600_000).toISOString();
  const recorded = await trpcCall(page, state.adminKey, "mutation", "reconcile.record", {
    ...result(checkedAt, {}),
    collector: "e2e-deep",
    passed: false,
    deep: {
      passed: false,
      repaired: true,
      durationMs: 1234,
      tables: {
        posts: {
          local: 1200,
          server: 1201,
          segments: 37,
          missing: none,
          extra: { total: 1, keys: ["1900000000000009999"] },
          different: none,
          newerOnServer: { total: 2, keys: ["1900000000000000001", "1900000000000000002"] },
        },
        reports: clean,
        pipelineRuns: { ...clean, missing: { total: 23, keys: ["run-a", "run-b"] } },
      },
    },
  });
  expect(recorded.status).toBe(200);

  await signIn("reader");
  await page.goto("/reconcile?collector=e2e-deep");
  const deep = page.getByTestId("deep-result");
  await expect(deep).toContainText("FAIL");
  await expect(deep).toContainText("second check, after a repair");
  await expect(deep).toContainText("39 segments compared in 1.2 s");
  await expect(deep.getByRole("row", { name: /Posts/ })).toContainText("1,201");
  await expect(page.getByTestId("deep-pipelineRuns-missing")).toContainText("run-a, run-b … and 21 more");
  await expect(page.getByTestId("deep-posts-newerOnServer")).toContainText("not a difference");
  await expect(page.getByTestId("reconcile-row").first()).toContainText("Posts 1, Runs 23 (after repair)");
  await snap("reconcile-deep");
  await page.getByTestId("deep-posts-extra").getByRole("link", { name: "1900000000000009999" }).click();
  await expect(page).toHaveURL(/\/posts\/1900000000000009999$/);
});
