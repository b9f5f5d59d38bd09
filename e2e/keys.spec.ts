import { expect, test, trpcCall } from "./fixtures";

test("an admin creates a key, sees it once, and revokes it", async ({ page, signIn, snap }) => {
  await signIn("admin");
  await page.getByRole("link", { name: "API keys" }).click();
  await expect(page.getByRole("heading", { name: "API keys" })).toBeVisible();

  await page.getByLabel("Name (who or what uses it)").fill("e2e laptop collector");
  await page.getByLabel("Role").selectOption("ingest");
  await page.getByLabel("Collector (XMONITOR_COLLECTOR_NAME)").fill("e2e-laptop");
  await page.getByRole("button", { name: "Create key" }).click();
  const created = page.getByTestId("new-key");
  await expect(created).toContainText("It is shown once");
  const key = (await page.getByTestId("new-key-value").textContent())!;
  expect(key).toMatch(/^xmk_[a-z0-9]{10}_/);
  const prefix = key.split("_").slice(0, 2).join("_");
  const row = page.getByTestId(`key-row-${prefix}`);
  await expect(row).toContainText("active");
  await expect(row).toContainText("for e2e-laptop");
  await snap("keys-created");

  // The new key works until it is revoked, bound to the collector it was created for.
  const access = await trpcCall(page, key, "query", "ingest.access", undefined);
  expect(access.status).toBe(200);
  expect(access.body).toMatchObject({ result: { data: { json: { role: "ingest", collector: "e2e-laptop" } } } });

  // A collector's key cannot open the console, even in a fresh browser.
  const stranger = await page.context().browser()!.newPage();
  await stranger.goto(new URL("/login", page.url()).href);
  await stranger.getByLabel("API key").fill(key);
  await stranger.getByRole("button", { name: "Sign in" }).click();
  await expect(stranger.locator("#login-error")).toContainText(
    "Ingest keys are for collectors and cannot sign in to the console",
  );
  await expect(stranger).toHaveURL(/\/login/);
  expect((await stranger.context().cookies()).find((c) => c.name === "xm_session")).toBeUndefined();
  await stranger.close();

  await page.getByRole("button", { name: "I have stored it: hide the key" }).click();
  await expect(page.getByTestId("new-key")).toHaveCount(0);
  await row.getByRole("button", { name: `Revoke ${prefix} (e2e laptop collector)` }).click();
  await row.getByRole("button", { name: "Confirm revoke" }).click();
  await expect(row).toContainText("revoked");
  await expect(row.getByRole("button")).toHaveCount(1); // only the copy button is left
  expect((await trpcCall(page, key, "query", "ingest.access", undefined)).status).toBe(401);
  await snap("keys-revoked");
});

test("a reader is refused key management in the page and in the API", async ({ page, signIn, state, snap }) => {
  await signIn("reader");
  await expect(page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "API keys" })).toHaveCount(0);
  await page.goto("/settings/keys");
  await expect(page.getByText("Admins only")).toBeVisible();
  await expect(page.getByRole("button", { name: "Create key" })).toHaveCount(0);
  await snap("keys-refused");

  const viaCookie = await page.evaluate(async () => {
    const response = await fetch("/api/trpc/keys.create", {
      method: "POST",
      headers: { "content-type": "application/json", "x-xmonitor-csrf": "1" },
      body: JSON.stringify({ json: { name: "nope", role: "admin" } }),
    });
    return response.status;
  });
  expect(viaCookie).toBe(403);
  expect(
    (await trpcCall(page, state.readerKey, "mutation", "keys.create", { name: "nope", role: "admin" })).status,
  ).toBe(403);
});
