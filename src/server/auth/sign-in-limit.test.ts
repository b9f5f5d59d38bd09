import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDatabase, type TestDatabase } from "../../../test/support/database";
import { assertSignInAllowed, clientAddress, recordFailedSignIn } from "./sign-in-limit";

let t: TestDatabase;
beforeAll(async () => {
  t = await createTestDatabase();
});
afterAll(async () => t?.drop());

describe("failed sign-ins per client", () => {
  it("refuses a client after the limit within the minute, others and the next minute are not affected", async () => {
    const now = Date.parse("2026-11-29T10:00:10Z");
    const options = { client: "203.0.113.7", limitPerMinute: 3, now };
    for (let i = 0; i < 3; i++) {
      await assertSignInAllowed(t.db, options);
      await recordFailedSignIn(t.db, options);
    }
    await expect(assertSignInAllowed(t.db, options)).rejects.toMatchObject({
      code: "TOO_MANY_REQUESTS",
      details: { retryAfterSeconds: 50 },
      message: expect.stringContaining("Too many failed sign-ins"),
    });
    await expect(recordFailedSignIn(t.db, options)).rejects.toMatchObject({ code: "TOO_MANY_REQUESTS" });
    await expect(assertSignInAllowed(t.db, { ...options, client: "203.0.113.8" })).resolves.toBeUndefined();
    await expect(assertSignInAllowed(t.db, { ...options, now: now + 60_000 })).resolves.toBeUndefined();
  });

  it("takes the client from X-Forwarded-For as configured", () => {
    const headers = new Headers({ "x-forwarded-for": "198.51.100.1, 10.0.0.2, 10.0.0.3" });
    expect(clientAddress(headers, 0)).toBe("10.0.0.3");
    expect(clientAddress(headers, 1)).toBe("10.0.0.3");
    expect(clientAddress(headers, 2)).toBe("10.0.0.2");
    expect(clientAddress(headers, 9)).toBe("198.51.100.1");
    expect(clientAddress(new Headers(), 1)).toBe("unknown");
  });
});
