import { describe, expect, it } from "vitest";
import { safeNextPath } from "./safe-next-path";

describe("safeNextPath", () => {
  it("keeps paths on this site", () => {
    expect(safeNextPath("/runs?status=failed")).toBe("/runs?status=failed");
    expect(safeNextPath("/posts/123")).toBe("/posts/123");
  });

  it("sends anything else home: other origins, protocol-relative, backslash tricks, the login page itself, non-strings", () => {
    for (const value of [
      "https://evil.example/",
      "//evil.example",
      "/\\evil.example",
      "/login?next=/",
      "runs",
      "",
      null,
      undefined,
      ["/runs"],
    ]) {
      expect(safeNextPath(value)).toBe("/");
    }
  });
});
