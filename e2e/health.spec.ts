import { expect, test } from "./fixtures";

test("the health timeline shows hourly ingest and the failing collector's alert episode", async ({
  page,
  signIn,
  snap,
}) => {
  await signIn("reader");
  await page.getByRole("link", { name: "Health" }).click();
  await expect(page.getByRole("heading", { name: "Ingest health" })).toBeVisible();
  const laptop = page.getByTestId("timeline-ops-laptop-priority");
  await expect(laptop).toContainText("Healthy");
  await expect(
    laptop.getByRole("list", { name: /Hourly ingest for ops-laptop priority/ }).getByRole("listitem"),
  ).toHaveCount(48);
  // Its two outages are over: the latest shows as reset, the earlier one is in the history.
  await expect(laptop.getByTestId("episode")).toContainText("Last failure episode: reset");
  await laptop.getByTestId("past-episodes").getByText("1 earlier failure episode").click();
  await expect(laptop.getByTestId("past-episode")).toContainText("Alert: 2 failures");
  // The daily metrics refresh is its own row, not folded into priority.
  await expect(page.getByTestId("timeline-ops-laptop-refresh-24h")).toContainText("refresh-24h");
  const failing = page.getByTestId("timeline-ops-mac-mini-discovery");
  await expect(failing).toContainText("ALERT 2/2");
  await expect(failing.getByTestId("episode")).toContainText("threshold reached");
  await snap("health");
});
