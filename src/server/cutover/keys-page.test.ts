import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDatabase, type TestDatabase } from "../../../test/support/database";
import { callerFor, makePosts, principalFor } from "../../../test/support/fixtures";

let t: TestDatabase;
beforeAll(async () => {
  t = await createTestDatabase();
});
afterAll(async () => t?.drop());

describe("cutover.keysPage", () => {
  it("walks a table's keys in pages, each key once, in key order, and says when there is no more", async () => {
    const admin = callerFor(t.db, await principalFor(t.db, "admin"));
    const posts = makePosts(7, { seed: 5, firstId: 700n, at: Date.parse("2026-11-10T08:00:00Z") });
    await admin.ingest.push({ idempotencyKey: "keys-1", collector: "box", mode: "priority", posts });
    const api = callerFor(t.db, await principalFor(t.db, "ingest"));
    const pages: string[][] = [];
    let after: string | undefined;
    for (;;) {
      const page = await api.cutover.keysPage({ table: "posts", limit: 3, ...(after ? { after } : {}) });
      pages.push(page.keys);
      if (page.next === null) break;
      after = page.next;
    }
    expect(pages.map((p) => p.length)).toEqual([3, 3, 1]);
    expect(pages.flat()).toEqual(posts.map((p) => p.status_id).sort());
    expect(await api.cutover.keysPage({ table: "watchAccounts" })).toEqual({ keys: [], next: null });
  });

  it("refuses a page larger than the limit", async () => {
    const api = callerFor(t.db, await principalFor(t.db, "ingest"));
    await expect(api.cutover.keysPage({ table: "posts", limit: 5001 })).rejects.toThrow(/5000/);
  });
});
