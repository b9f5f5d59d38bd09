import { describe, expect, it } from "vitest";
import { xPostHref } from "./external-link";

describe("xPostHref", () => {
  it("links posts on X over https", () => {
    expect(xPostHref("https://x.com/macro_desk/status/1")).toBe("https://x.com/macro_desk/status/1");
    expect(xPostHref("https://twitter.com/a/status/2")).toBe("https://twitter.com/a/status/2");
  });

  it.each([
    "javascript:alert(document.cookie)",
    "JaVaScRiPt:alert(1)",
    "data:text/html,<script>alert(1)</script>",
    "http://x.com/a/status/1",
    "https://x.com.evil.example/a",
    "https://evil.example/x.com",
    "https://x.com@evil.example/",
    "https://user:pw@x.com/a",
    "//x.com/a",
    "not a url",
    "",
  ])("does not link %s", (url) => {
    expect(xPostHref(url)).toBeNull();
  });
});
