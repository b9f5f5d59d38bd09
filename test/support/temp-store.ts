// A collector store in a fresh temporary folder for each test, on a clock
// the test sets (t.now), and a post to write into it.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterEach, beforeEach } from "vitest";
import { openStore, type SqliteStore, type TweetInput } from "../../src/collector/store/sqlite-store";

export type TempStore = { dir: string; store: SqliteStore; now: Date };

/** Registers the hooks; the returned object holds the current test's store. */
export function useTempStore(): TempStore {
  const t = {} as TempStore;
  beforeEach(() => {
    t.dir = mkdtempSync(path.join(tmpdir(), "xmon-store-"));
    t.now = new Date("2026-02-25T20:00:00.000Z");
    t.store = openStore({ path: path.join(t.dir, "sub", "x_monitor.db"), clock: () => t.now });
  });
  afterEach(() => {
    t.store.close();
    rmSync(t.dir, { recursive: true, force: true });
  });
  return t;
}

export const tweet = (overrides: Partial<TweetInput> = {}): TweetInput => ({
  status_id: "1894567890123456789",
  author_handle: "Macro_Desk",
  author_id: "1200",
  body: "Rates are moving",
  created_at: "2026-02-25T19:39:12Z",
  mode: "priority",
  like_count: 10,
  is_reply: false,
  ...overrides,
});
