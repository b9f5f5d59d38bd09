import { mkdirSync } from "node:fs";
import path from "node:path";
import { test as base, expect, type Page } from "@playwright/test";
import { readE2eState, type E2eState } from "./support/state";

const screenshotDir = path.resolve(import.meta.dirname, "screenshots");

type Fixtures = {
  /** Saves a full-page screenshot to e2e/screenshots/<name>.png for a person to look at. */
  snap: (name: string) => Promise<void>;
  /** What the e2e server seeded: database URL and the admin and reader keys. */
  state: E2eState;
  /** Signs in through the login form with the seeded key of that role. */
  signIn: (role: "admin" | "reader") => Promise<void>;
};

export const test = base.extend<Fixtures>({
  snap: async ({ page }: { page: Page }, use: (fn: (name: string) => Promise<void>) => Promise<void>) => {
    mkdirSync(screenshotDir, { recursive: true });
    await use(async (name: string) => {
      await page.screenshot({ path: path.join(screenshotDir, `${name}.png`), fullPage: true });
    });
  },
  // eslint-disable-next-line no-empty-pattern
  state: async ({}, use: (state: E2eState) => Promise<void>) => {
    await use(readE2eState());
  },
  signIn: async (
    { page, state }: { page: Page; state: E2eState },
    use: (fn: (role: "admin" | "reader") => Promise<void>) => Promise<void>,
  ) => {
    await use(async (role) => {
      await page.goto("/login");
      await page.getByLabel("API key").fill(role === "admin" ? state.adminKey : state.readerKey);
      await page.getByRole("button", { name: "Sign in" }).click();
      await expect(page.getByTestId("signed-in-as")).toHaveText(`e2e-${role}`);
    });
  },
});

export { expect } from "@playwright/test";

/** A tRPC call over HTTP with a bearer key, as a collector or script makes it. */
export async function trpcCall(
  page: Page,
  key: string,
  kind: "query" | "mutation",
  procedure: string,
  input: unknown,
): Promise<{ status: number; body: unknown }> {
  const payload = JSON.stringify({ json: input });
  const headers = { authorization: `Bearer ${key}`, "content-type": "application/json" };
  const response =
    kind === "query"
      ? await page.request.get(`/api/trpc/${procedure}?input=${encodeURIComponent(payload)}`, { headers })
      : await page.request.post(`/api/trpc/${procedure}`, { headers, data: payload });
  return { status: response.status(), body: (await response.json()) as unknown };
}
