import { mkdirSync } from "node:fs";
import path from "node:path";
import { test as base, type Page } from "@playwright/test";

const screenshotDir = path.resolve(import.meta.dirname, "screenshots");

export const test = base.extend<{ snap: (name: string) => Promise<void> }>({
  snap: async ({ page }: { page: Page }, use: (fn: (name: string) => Promise<void>) => Promise<void>) => {
    mkdirSync(screenshotDir, { recursive: true });
    await use(async (name: string) => {
      await page.screenshot({ path: path.join(screenshotDir, `${name}.png`), fullPage: true });
    });
  },
});

export { expect } from "@playwright/test";
