import { describe, expect, it } from "vitest";
import { sessionCookieIsSecure } from "./session-cookie";

const h = (init: Record<string, string>) => new Headers(init);

describe("sessionCookieIsSecure", () => {
  it("is Secure by default, except plain http on a loopback host", () => {
    expect(sessionCookieIsSecure(h({ host: "ops.example", "x-forwarded-proto": "https" }), "auto")).toBe(true);
    expect(sessionCookieIsSecure(h({ host: "ops.example:3000", "x-forwarded-proto": "http" }), "auto")).toBe(true);
    expect(sessionCookieIsSecure(h({ host: "10.0.0.5:3000" }), "auto")).toBe(true);
    expect(sessionCookieIsSecure(h({ host: "127.0.0.1:3000", "x-forwarded-proto": "http" }), "auto")).toBe(false);
    expect(sessionCookieIsSecure(h({ host: "localhost:3000" }), "auto")).toBe(false);
    expect(sessionCookieIsSecure(h({ host: "[::1]:3000" }), "auto")).toBe(false);
    expect(sessionCookieIsSecure(h({ host: "localhost:3000", "x-forwarded-proto": "https" }), "auto")).toBe(true);
    expect(sessionCookieIsSecure(h({ host: "localhost.evil.example" }), "auto")).toBe(true);
  });

  it("follows an explicit setting", () => {
    expect(sessionCookieIsSecure(h({ host: "localhost:3000" }), "always")).toBe(true);
    expect(sessionCookieIsSecure(h({ host: "ops.example", "x-forwarded-proto": "https" }), "never")).toBe(false);
  });
});
