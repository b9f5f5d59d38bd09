// The per-key window counter: exact under concurrent requests, and its
// relaxed commit stays confined to its own statement.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDatabase, type TestDatabase } from "../../../test/support/database";
import { principalFor } from "../../../test/support/fixtures";
import { closeDb, createDb, sqlPool } from "../db";
import { consumeRateLimit } from "./rate-limit";

let t: TestDatabase;
beforeAll(async () => {
  t = await createTestDatabase();
});
afterAll(async () => t?.drop());

describe("consumeRateLimit", () => {
  it("lets exactly the limit through when requests race, and says when to retry", async () => {
    const { apiKeyId } = await principalFor(t.db, "reader");
    const now = Date.parse("2026-11-29T10:00:20Z");
    const outcomes = await Promise.allSettled(
      Array.from({ length: 50 }, () => consumeRateLimit(t.db, { apiKeyId: apiKeyId!, limitPerMinute: 30, now })),
    );
    expect(outcomes.filter((o) => o.status === "fulfilled")).toHaveLength(30);
    const refused = outcomes.filter((o): o is PromiseRejectedResult => o.status === "rejected");
    expect(refused).toHaveLength(20);
    for (const r of refused)
      expect(r.reason).toMatchObject({ code: "TOO_MANY_REQUESTS", details: { retryAfterSeconds: 40 } });
    // The next window starts from zero.
    await expect(
      consumeRateLimit(t.db, { apiKeyId: apiKeyId!, limitPerMinute: 30, now: now + 60_000 }),
    ).resolves.toMatchObject({ count: 1, remaining: 29 });
  });

  it("does not leave synchronous_commit off on the pooled connection", async () => {
    const { apiKeyId } = await principalFor(t.db, "reader");
    const single = createDb(t.url, { max: 1 });
    try {
      await consumeRateLimit(single, { apiKeyId: apiKeyId!, limitPerMinute: 10 });
      const { rows } = await sqlPool(single).query<{ synchronous_commit: string }>("show synchronous_commit");
      expect(rows[0]!.synchronous_commit).toBe("on");
    } finally {
      await closeDb(single);
    }
  });
});
