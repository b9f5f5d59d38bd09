import { describe, expect, it } from "vitest";
import { safeNextPath } from "./safe-next-path";

describe("safeNextPath", () => {
  it("keeps paths on this site", () => {
    expect(safeNextPath("/runs?status=failed")).toBe("/runs?status=failed");
    expect(safeNextPath("/posts/123")).toBe("/posts/123");
    expect(safeNextPath("/posts?text=50%25#top")).toBe("/posts?text=50%25#top");
    expect(safeNextPath("/runs/%09tab-in-an-id")).toBe("/runs/%09tab-in-an-id");
  });

  it.each([
    ["TAB", "/\t/evil.example/phish"],
    ["TAB first", "\t//evil.example"],
    ["CR", "/\r/evil.example"],
    ["LF", "/\n/evil.example"],
    ["CR LF", "/\r\n/evil.example"],
    ["NUL", "/\u0000/evil.example"],
    ["DEL", "/\u007f/evil.example"],
    ["encoded slash", "/%2F/evil.example"],
    ["encoded slash, lower case", "/%2f/evil.example"],
    ["encoded backslash", "/%5C/evil.example"],
    ["backslash", "/\\evil.example"],
    ["backslash inside", "/runs\\..\\\\evil.example"],
    ["protocol-relative", "//evil.example"],
    ["protocol-relative, three slashes", "///evil.example"],
    ["absolute https", "https://evil.example/"],
    ["absolute http", "http://evil.example"],
    ["javascript:", "javascript:alert(1)"],
    ["data:", "data:text/html,<script>alert(1)</script>"],
    ["relative", "runs"],
    ["empty", ""],
    ["the login page", "/login?next=/"],
    ["the login page, by another spelling", "/./login"],
    ["very long", `/${"a".repeat(5000)}`],
  ])("sends %s home", (_name, value) => {
    expect(safeNextPath(value)).toBe("/");
  });

  it("sends non-strings home", () => {
    for (const value of [null, undefined, ["/runs"], 5, { toString: () => "/runs" }])
      expect(safeNextPath(value)).toBe("/");
  });
});
