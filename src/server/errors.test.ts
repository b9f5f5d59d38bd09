// Which failures count as "the database is unavailable" (answered 503 with
// Retry-After) rather than a server bug (500).
import { describe, expect, it } from "vitest";
import { isDatabaseUnavailable } from "./errors";

describe("isDatabaseUnavailable", () => {
  it("recognises broken or refused connections, by code or by node-postgres's message, also as a cause", () => {
    for (const message of [
      "Client has encountered a connection error and is not queryable",
      "Client was closed and is not queryable",
      "Connection terminated unexpectedly",
      "terminating connection due to administrator command",
    ]) {
      expect(isDatabaseUnavailable(new Error(message)), message).toBe(true);
      expect(isDatabaseUnavailable(new Error("wrapped", { cause: new Error(message) })), `cause: ${message}`).toBe(
        true,
      );
    }
    expect(isDatabaseUnavailable(Object.assign(new Error("x"), { code: "57P01" }))).toBe(true);
    expect(isDatabaseUnavailable(Object.assign(new Error("connect"), { code: "ECONNREFUSED" }))).toBe(true);
  });

  it("does not excuse real errors", () => {
    expect(
      isDatabaseUnavailable(
        Object.assign(new Error("duplicate key value violates unique constraint"), { code: "23505" }),
      ),
    ).toBe(false);
    expect(isDatabaseUnavailable(new Error('column "nope" does not exist'))).toBe(false);
    expect(isDatabaseUnavailable(null)).toBe(false);
  });
});
