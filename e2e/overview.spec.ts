import { expect, test } from "./fixtures";

test("the overview shows the seeded database", async ({ page, snap }) => {
  await page.goto("/");
  await expect(page.getByRole("heading", { name: "Overview" })).toBeVisible();
  await expect(page.getByTestId("count-posts")).not.toHaveText("0");
  await expect(page.getByRole("table").getByRole("row")).toHaveCount(11);
  await snap("overview");
});

test("healthz reports the database", async ({ request }) => {
  const response = await request.get("/api/healthz");
  expect(response.status()).toBe(200);
  expect(await response.json()).toMatchObject({ status: "ok", database: "up" });
});
