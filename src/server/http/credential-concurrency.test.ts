import { describe, expect, it } from "vitest";
import { admitRequest } from "./credential-concurrency";

const withKey = (key: string) => new Headers({ authorization: `Bearer ${key}` });

describe("admitRequest", () => {
  it("admits `limit` requests per credential, refuses the next with 429, and frees a slot on release", () => {
    const releases = [admitRequest(withKey("a"), 2), admitRequest(withKey("a"), 2)];
    expect(() => admitRequest(withKey("a"), 2)).toThrow(
      expect.objectContaining({ code: "TOO_MANY_REQUESTS", details: { retryAfterSeconds: 1 } }),
    );
    // Another key, a session cookie and an anonymous request are counted apart.
    expect(() => admitRequest(withKey("b"), 2)).not.toThrow();
    expect(() => admitRequest(new Headers({ cookie: `xm_session=${"A".repeat(43)}` }), 2)).not.toThrow();
    for (let i = 0; i < 5; i++) expect(() => admitRequest(new Headers(), 2)).not.toThrow();
    releases[0]!();
    releases[0]!(); // a second release of the same request frees nothing more
    const third = admitRequest(withKey("a"), 2);
    expect(() => admitRequest(withKey("a"), 2)).toThrow(expect.objectContaining({ code: "TOO_MANY_REQUESTS" }));
    third();
    releases[1]!();
  });
});
