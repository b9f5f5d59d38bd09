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
