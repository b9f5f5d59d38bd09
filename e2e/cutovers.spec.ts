import { expect, test } from "./fixtures";

test("a cutover's page shows every step with its figures", async ({ page, signIn, snap }) => {
  await signIn("reader");
  await page.goto("/cutovers");
  await expect(page.getByTestId("cutover-row")).toHaveCount(2);
  await snap("cutovers");

  await page.getByRole("link", { name: "ops-laptop into central" }).click();
  await expect(page.getByRole("heading", { name: "ops-laptop into central" })).toBeVisible();
  await expect(page.getByTestId("step-snapshot")).toContainText("Integrity check: ok");
  await expect(page.getByTestId("step-export").getByRole("table", { name: "Exported rows" })).toContainText("Posts");
  await expect(page.getByTestId("step-import-1")).toContainText("permission denied for table embeddings");
  await expect(page.getByTestId("step-import-2")).toContainText("admin");
  await expect(page.getByTestId("step-validate")).toContainText("succeeded");
  await expect(page.getByTestId("step-validate")).toContainText("matched 200");
  await expect(page.getByTestId("step-restore")).toContainText("succeeded");
  await snap("cutover-detail");
});

test("a failed cutover says which step failed and why", async ({ page, signIn, snap }) => {
  await signIn("reader");
  await page.goto("/cutovers");
  await page.getByRole("link", { name: "ops-mac-mini first attempt" }).click();
  const validate = page.getByTestId("step-validate");
  await expect(validate).toContainText("failed");
  await expect(validate).toContainText("2 posts missing on the server");
  await expect(validate.getByRole("table", { name: /Count deltas/ }).getByRole("row", { name: /Posts/ })).toContainText(
    "+2",
  );
  await snap("cutover-failed");
});
