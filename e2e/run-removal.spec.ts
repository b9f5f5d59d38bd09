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

test("a run id two collectors used: the page asks which, links name the collector, removal takes only that one", async ({
  page,
  signIn,
  state,
}) => {
  const sharedId = "e2e-shared-run-id";
  for (const collector of ["box-a", "box-b"]) {
    const pushed = await trpcCall(page, state.adminKey, "mutation", "ingest.push", {
      idempotencyKey: `${sharedId}-${collector}`,
      collector,
      mode: "manual",
      runId: sharedId,
      pipelineRuns: [{ run_id: sharedId, mode: "manual", run_at: at, status: "success", updated_at: at }],
    });
    expect(pushed.status).toBe(200);
  }

  await signIn("admin");
  await page.goto(`/runs/${sharedId}`);
  await expect(page.getByTestId("choose-collector")).toContainText(
    `Run id ${sharedId} exists for several collectors (box-a, box-b)`,
  );
  const rows = page.getByTestId("run-row");
  await expect(rows).toHaveCount(2);
  await rows.filter({ hasText: "box-b" }).getByRole("link").first().click();
  await expect(page).toHaveURL(new RegExp(`/runs/${sharedId}\\?collector=box-b$`));
  await expect(page.getByRole("heading", { name: /^Run e2e-shar/ })).toBeVisible();

  await page.getByRole("button", { name: "Remove run…" }).click();
  await expect(page.getByTestId("remove-summary")).toContainText(`Goes: run ${sharedId} (manual, collector box-b,`);
  await page.getByLabel("Why (kept in the audit record)").fill("test rows of a shared run id");
  await page.getByRole("button", { name: "Remove run", exact: true }).click();
  await expect(page).toHaveURL(new RegExp(`/runs\\?removed=${sharedId}$`));

  // One run of that id is left: the plain link finds it, and it is box-a's.
  await page.goto(`/runs/${sharedId}`);
  await expect(page.getByRole("heading", { name: /^Run e2e-shar/ })).toBeVisible();
  await expect(page.getByText("box-a", { exact: true })).toBeVisible();
  await page.getByRole("button", { name: "Remove run…" }).click();
  await expect(page.getByTestId("remove-summary")).toContainText("collector box-a,");
  await page.getByLabel("Why (kept in the audit record)").fill("test rows of a shared run id");
  await page.getByRole("button", { name: "Remove run", exact: true }).click();
  await expect(page).toHaveURL(new RegExp(`/runs\\?removed=${sharedId}$`));
});
