import { expect, test, trpcCall } from "./fixtures";

const runId = "e2e-smoke-manual-run";
const at = "2026-02-26T00:00:00.000Z";

test("an admin removes a synthetic run, named in the confirmation, and the removal is recorded", async ({
  page,
  signIn,
  state,
  snap,
}) => {
  // The row an ingest auth smoke test leaves behind: a manual run, pushed by hand.
  const pushed = await trpcCall(page, state.adminKey, "mutation", "ingest.push", {
    idempotencyKey: `${runId}-push`,
    collector: "smoke-box",
    mode: "manual",
    runId,
    pipelineRuns: [{ run_id: runId, mode: "manual", run_at: at, status: "success", updated_at: at }],
  });
  expect(pushed.status).toBe(200);

  await signIn("reader");
  await page.goto(`/runs/${runId}`);
  await expect(page.getByRole("heading", { name: /^Run e2e-smok/ })).toBeVisible();
  await expect(page.getByRole("button", { name: "Remove run…" })).toHaveCount(0);

  await page.context().clearCookies();
  await signIn("admin");
  await page.goto(`/runs/${runId}`);
  await page.getByRole("button", { name: "Remove run…" }).click();
  const summary = page.getByTestId("remove-summary");
  await expect(summary).toContainText(
    `Goes: run ${runId} (manual, collector smoke-box, started 2026-02-26 00:00:00 UTC)`,
  );
  await expect(summary).toContainText("Stays: 1 ingest batch and 0 posts");
  await page.getByLabel("Why (kept in the audit record)").fill("synthetic row left by the ingest auth smoke test");
  await snap("run-remove-confirm");
  await page.getByRole("button", { name: "Remove run", exact: true }).click();

  await expect(page).toHaveURL(new RegExp(`/runs\\?removed=${runId}$`));
  await expect(page.getByTestId("removed-notice")).toContainText(`Run ${runId} was removed`);
  const row = page.getByTestId("removal-row").filter({ hasText: runId });
  await expect(row).toContainText("synthetic row left by the ingest auth smoke test");
  await expect(row).toContainText("e2e-admin");
  await snap("run-removed");

  await page.goto(`/runs/${runId}`);
  await expect(page.getByText(/not found|No run/i).first()).toBeVisible();
});
