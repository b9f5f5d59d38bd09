import type { Page } from "@playwright/test";
import { expect, test, trpcCall } from "./fixtures";

test("a signed-out visitor is sent to the login page, and tRPC answers 401", async ({ page, snap }) => {
  await page.goto("/runs?status=failed");
  await expect(page).toHaveURL(/\/login\?next=%2Fruns%3Fstatus%3Dfailed$/);
  await expect(page.getByRole("heading", { name: /xmonitor/ })).toBeVisible();
  await snap("login");

  const response = await page.request.get(`/api/trpc/overview.summary`);
  expect(response.status()).toBe(401);

  // Static assets from public/ need no session: the login page shows the icon.
  const icon = await page.request.get("/favicon.svg", { maxRedirects: 0 });
  expect(icon.status()).toBe(200);
  expect(icon.headers()["content-type"]).toContain("image/svg+xml");
  const robots = await page.request.get("/robots.txt", { maxRedirects: 0 });
  expect(await robots.text()).toContain("Disallow: /");
  await expect(page.locator('link[rel="icon"]')).toHaveAttribute("href", /favicon\.svg/);
});

test("a wrong key is refused with the reason", async ({ page, snap }) => {
  await page.goto("/login");
  await page.getByLabel("API key").fill("xmk_0000000000_notarealkeynotarealkeynotarealkey00");
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page.locator("#login-error")).toContainText("Invalid API key");
  await expect(page).toHaveURL(/\/login/);
  await snap("login-refused");
});

test("sign in with a reader key, land where I was going, then sign out", async ({ page, state, snap }) => {
  await page.goto("/cutovers");
  await expect(page).toHaveURL(/\/login\?next=%2Fcutovers/);
  await page.getByLabel("API key").fill(state.readerKey);
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page).toHaveURL(/\/cutovers$/);
  await expect(page.getByTestId("signed-in-as")).toHaveText("e2e-reader");

  const cookie = (await page.context().cookies()).find((c) => c.name === "xm_session");
  expect(cookie).toMatchObject({ httpOnly: true, sameSite: "Lax" });

  // The cookie authenticates tRPC too.
  const summary = await page.request.get("/api/trpc/overview.summary");
  expect(summary.status()).toBe(200);

  await page.getByRole("button", { name: "Sign out" }).click();
  await expect(page).toHaveURL(/\/login\?signedOut=1/);
  await expect(page.getByRole("status")).toHaveText("You are signed out.");
  await snap("signed-out");
  expect((await page.context().cookies()).find((c) => c.name === "xm_session")).toBeUndefined();
  await page.goto("/");
  await expect(page).toHaveURL(/\/login$/);
});

/** The script-src directive of a Content-Security-Policy header. */
const scriptSrc = (policy: string | undefined) =>
  (policy ?? "")
    .split(";")
    .map((d) => d.trim())
    .find((d) => d.startsWith("script-src "));

/** The nonce a policy's script-src allows, if any. */
const nonceOf = (policy: string | undefined) => /'nonce-([A-Za-z0-9+/=]+)'/.exec(scriptSrc(policy) ?? "")?.[1];

/** The nonce attribute of every script on the page. */
const scriptNonces = (page: Page) =>
  page.locator("script").evaluateAll((scripts) => scripts.map((s) => (s as HTMLScriptElement).nonce));

test("pages carry the security headers; scripts run only with the page's own nonce", async ({ page, signIn, snap }) => {
  const response = await page.goto("/login");
  const headers = response!.headers();
  expect(headers["content-security-policy"]).toContain("frame-ancestors 'none'");
  expect(headers["x-content-type-options"]).toBe("nosniff");
  expect(headers["referrer-policy"]).toBe("strict-origin-when-cross-origin");
  // One policy (two would each have to allow every script), with a nonce and no 'unsafe-inline'.
  expect(
    (await response!.headersArray()).filter((h) => h.name.toLowerCase() === "content-security-policy"),
  ).toHaveLength(1);
  const loginScripts = scriptSrc(headers["content-security-policy"]);
  const nonce = nonceOf(headers["content-security-policy"]);
  expect(nonce, loginScripts).toBeTruthy();
  expect(loginScripts).not.toContain("unsafe-inline");
  // Every script Next rendered carries it (the page works: the form below signs in).
  const nonces = await scriptNonces(page);
  expect(nonces.length).toBeGreaterThan(0);
  expect(new Set(nonces)).toEqual(new Set([nonce]));
  // Hostile: markup carrying an inline handler (what text from X would be, were it ever written as HTML) runs nothing.
  const ran = await page.evaluate(async () => {
    const holder = document.createElement("div");
    holder.innerHTML = '<img src="/no-such-image.png" onerror="window.__injected = true">';
    document.body.append(holder);
    await new Promise((resolve) => setTimeout(resolve, 500));
    return (window as unknown as { __injected?: boolean }).__injected === true;
  });
  expect(ran).toBe(false);
  await snap("login-headers");

  // Each page load has a nonce of its own, signed in too.
  await signIn("reader");
  const runs = await page.goto("/runs");
  const again = nonceOf(runs!.headers()["content-security-policy"]);
  expect(again).toBeTruthy();
  expect(again).not.toBe(nonce);
  await expect(page.getByRole("heading", { name: "Runs" })).toBeVisible();
  // The not-found page renders per request too: its scripts carry that request's nonce.
  const missing = await page.goto("/no-such-page");
  expect(missing!.status()).toBe(404);
  const missingNonce = nonceOf(missing!.headers()["content-security-policy"]);
  const missingScripts = await scriptNonces(page);
  expect(missingScripts.length).toBeGreaterThan(0);
  expect(new Set(missingScripts)).toEqual(new Set([missingNonce]));

  // What the proxy does not see gets the policy without a nonce: no inline script of theirs may run.
  for (const path of ["/api/healthz", "/favicon.svg"]) {
    const answer = await page.request.get(path);
    const scripts = scriptSrc(answer.headers()["content-security-policy"]);
    expect(scripts, path).toBe("script-src 'self'");
  }
});

test("a cookie-authenticated change without the CSRF header is refused with 403", async ({ page, signIn, snap }) => {
  await signIn("admin");
  // page.request sends the browser's cookies but neither our header nor an Origin: what a forged form post looks like to us.
  const forged = await page.request.post("/api/trpc/keys.create", {
    data: JSON.stringify({ json: { name: "forged", role: "admin" } }),
    headers: { "content-type": "application/json" },
  });
  expect(forged.status()).toBe(403);
  expect(await forged.text()).toContain("Cross-site request refused");
  await snap("csrf-signed-in-admin");
});

test("revoking the key ends its console session at the next request", async ({ page, state, snap }) => {
  const created = await trpcCall(page, state.adminKey, "mutation", "keys.create", {
    name: "e2e-short-lived",
    role: "reader",
  });
  const { key, keyPrefix } = (created.body as { result: { data: { json: { key: string; keyPrefix: string } } } }).result
    .data.json;
  await page.goto("/login");
  await page.getByLabel("API key").fill(key);
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page.getByTestId("signed-in-as")).toHaveText("e2e-short-lived");

  expect((await trpcCall(page, state.adminKey, "mutation", "keys.revoke", { prefix: keyPrefix })).status).toBe(200);
  await page.goto("/runs");
  await expect(page).toHaveURL(/\/login\?next=%2Fruns$/);
  expect((await page.request.get("/api/trpc/overview.summary")).status()).toBe(401);
  await snap("revoked-session");
});

// Where the phishing chain began: /login?next=/%09/evil.example/phish landed on evil.example.
const HOSTILE_NEXT = [
  "/%09/evil.example/phish",
  "/%0D/evil.example/phish",
  "/%0A/evil.example/phish",
  "/%2F/evil.example/phish",
  "/%5Cevil.example/phish",
  "//evil.example/phish",
  "https://evil.example/phish",
];

test("sign-in with a hostile next stays on the console", async ({ page, state, baseURL }) => {
  const origin = new URL(baseURL!).origin;
  for (const next of HOSTILE_NEXT.slice(0, 2)) {
    await page.context().clearCookies();
    await page.goto(`/login?next=${next}`);
    await page.getByLabel("API key").fill(state.readerKey);
    await page.getByRole("button", { name: "Sign in" }).click();
    await expect(page.getByTestId("signed-in-as")).toHaveText("e2e-reader");
    expect(new URL(page.url()).origin, next).toBe(origin);
    expect(new URL(page.url()).pathname, next).toBe("/");
  }
  // Signed in, /login forwards to `next` at once: the same check applies.
  for (const next of HOSTILE_NEXT) {
    await page.goto(`/login?next=${next}`);
    await expect(page.getByTestId("signed-in-as")).toBeVisible();
    expect(new URL(page.url()).origin, next).toBe(origin);
    expect(new URL(page.url()).pathname, next).toBe("/");
  }
});
