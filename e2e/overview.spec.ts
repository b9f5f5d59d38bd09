import { expect, test } from "./fixtures";

test("the overview shows a healthy and a failing collector, the last reconcile, volume, runs and alerts", async ({
  page,
  signIn,
  snap,
}) => {
  await signIn("reader");
  await expect(page.getByRole("heading", { name: "Overview" })).toBeVisible();

  const healthy = page.getByTestId("health-card-ops-laptop-priority");
  await expect(healthy).toContainText("Healthy");
  await expect(healthy).toContainText(/Last success\s*\d+ (second|minute|hour)s? ago/);

  const failing = page.getByTestId("health-card-ops-mac-mini-discovery");
  await expect(failing).toContainText("ALERT 2/2");
  await expect(failing).toContainText("connect ECONNREFUSED 10.0.0.12:443");

  const alerts = page.getByTestId("alerts");
  await expect(alerts).toContainText("Ingest failing");
  await expect(alerts).toContainText("ops-mac-mini · discovery");
  await expect(alerts).toContainText("Reconcile FAIL: posts +3, reports +1");

  await expect(page.getByTestId("reconcile-ops-laptop")).toContainText("PASS");
  await expect(page.getByTestId("reconcile-ops-mac-mini")).toContainText("FAIL");
  await expect(page.getByRole("img", { name: /Rows per hour/ })).toBeVisible();
  await expect(page.getByTestId("count-posts")).not.toHaveText("0");
  await expect(page.getByRole("table", { name: "Latest runs" }).getByRole("row")).toHaveCount(11);
  await snap("overview");

  // The latest runs link to their detail.
  await page.getByRole("table", { name: "Latest runs" }).getByRole("link").first().click();
  await expect(page).toHaveURL(/\/runs\/[0-9a-f-]+\?collector=[\w.-]+$/);
  await expect(page.getByRole("heading", { name: /^Run / })).toBeVisible();
});

test("the overview is usable at phone width", async ({ page, signIn, snap }) => {
  await page.setViewportSize({ width: 390, height: 844 });
  await signIn("reader");
  await expect(page.getByTestId("health-card-ops-mac-mini-discovery")).toBeVisible();
  await snap("overview-phone");
});

test("healthz reports the database (no page: nothing to screenshot)", async ({ request }) => {
  const response = await request.get("/api/healthz");
  expect(response.status()).toBe(200);
  expect(await response.json()).toMatchObject({ status: "ok", database: "up" });
});
