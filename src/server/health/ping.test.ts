// Anonymous pings share one database round trip per second.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDatabase, type TestDatabase } from "../../../test/support/database";
import { sharedPing } from "./ping";

let t: TestDatabase;
beforeAll(async () => {
  t = await createTestDatabase();
});
afterAll(async () => t?.drop());

describe("sharedPing", () => {
  it("answers every caller within a second from one ping, then pings again", async () => {
    const now = Date.parse("2026-11-29T10:00:00Z");
    const first = sharedPing(t.db, { now });
    const within = await Promise.all(Array.from({ length: 50 }, (_, i) => sharedPing(t.db, { now: now + i * 10 })));
    expect(within.every((p) => p === within[0])).toBe(true);
    expect(within[0]).toBe(await first);
    const later = await sharedPing(t.db, { now: now + 1000 });
    expect(later).not.toBe(within[0]);
    expect(later.database).toBe("up");
  });
});
