import { expect, test } from "./fixtures";

test("filter runs by status and mode, and page through them", async ({ page, signIn, snap }) => {
  await signIn("reader");
  await page.goto("/runs");
  const rows = page.getByTestId("run-row");
  await expect(rows).toHaveCount(25);
  await expect(page.getByTestId("page-number")).toHaveText("Page 1");

  // Paging: older, older, then newer returns to page 2 with the same first run.
  await page.getByRole("link", { name: "Older →" }).click();
  await expect(page.getByTestId("page-number")).toHaveText("Page 2");
  const firstOnPage2 = await rows.first().getByRole("link").first().textContent();
  await page.getByRole("link", { name: "Older →" }).click();
  await expect(page.getByTestId("page-number")).toHaveText("Page 3");
  await page.getByRole("link", { name: "← Newer" }).click();
  await expect(page.getByTestId("page-number")).toHaveText("Page 2");
  await expect(rows.first().getByRole("link").first()).toHaveText(firstOnPage2!);

  // Filters: failed priority runs only.
  await page.goto("/runs");
  await page.getByLabel("Status").selectOption("failed");
  await page.getByLabel("Mode").selectOption("priority");
  await page.getByRole("button", { name: "Apply" }).click();
  await expect(page).toHaveURL(/status=failed/);
  await expect(rows.first()).toBeVisible();
  for (const row of await rows.all()) {
    await expect(row).toContainText("failed");
    await expect(row).toContainText("priority");
  }
  await snap("runs-filtered");

  // A date range in the future matches nothing, and says what to do.
  await page.getByLabel("From (UTC)").fill("2099-01-01T00:00");
  await page.getByRole("button", { name: "Apply" }).click();
  await expect(page.getByText("No run matches these filters.")).toBeVisible();
});

test("refresh-24h is its own mode in the run filters, and manual is offered too", async ({ page, signIn }) => {
  await signIn("reader");
  const rows = page.getByTestId("run-row");
  await page.goto("/runs");
  await expect(page.getByLabel("Mode").locator("option")).toContainText(["refresh-24h", "manual"]);
  await page.getByLabel("Mode").selectOption("refresh-24h");
  await page.getByRole("button", { name: "Apply" }).click();
  await expect(page).toHaveURL(/mode=refresh-24h/);
  await expect(rows).toHaveCount(2);
  for (const row of await rows.all()) await expect(row).toContainText("refresh-24h");
});

test.describe("in the operator's time zone", () => {
  test.use({ timezoneId: "America/New_York" });

  test("open a run: its batches, per-table counts and report, with UTC and local times", async ({
    page,
    signIn,
    snap,
  }) => {
    await signIn("reader");
    await page.goto("/runs?status=success&mode=priority");
    await page.getByTestId("run-row").first().getByRole("link").first().click();
    await expect(page.getByRole("heading", { name: /^Run [0-9a-f]{8}$/ })).toBeVisible();
    await expect(page.getByText("success").first()).toBeVisible();
    const batch = page.getByTestId("batch").first();
    await expect(batch).toContainText("succeeded");
    await expect(batch.getByRole("table", { name: "Per-table results of this batch" })).toContainText("Runs");
    // The window as the collector's ingest line says it, from what the batch carried.
    const window = /^mode=priority since=\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z lookback=900s attempts≤4$/;
    await expect(page.getByTestId("run-ingest-window")).toHaveText(window);
    await expect(batch.getByTestId("batch-ingest-window")).toHaveText(window);
    await expect(page.getByTestId("report").first()).toContainText("priority digest");
    // Absolute times in UTC and, once in the browser, in the operator's zone.
    await expect(page.getByText(/^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2} UTC$/).first()).toBeVisible();
    await expect(page.getByText(/E[SD]T · /).first()).toBeVisible();
    await snap("run-detail");
  });
});

test("an unknown run id shows a not-found page", async ({ page, signIn, snap }) => {
  await signIn("reader");
  const response = await page.goto("/runs/00000000-0000-4000-a000-000000000000");
  expect(response?.status()).toBe(404);
  await expect(page.getByRole("heading", { name: "Run not found" })).toBeVisible();
  await snap("run-not-found");
});
