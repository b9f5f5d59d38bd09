import { describe, expect, it } from "vitest";
import { countKeywordHits, engagementTerm, recencyTerm, scorePost, type ScoreInput } from "./scoring";

const base: ScoreInput = {
  likes: 100,
  reposts: 10,
  replies: 5,
  quotes: 2,
  views: 5000,
  createdAt: "2026-02-25T18:00:00Z",
  now: "2026-02-25T20:00:00Z",
  tier: "discovery",
  keywordHits: 1,
};

describe("scorePost", () => {
  it("is deterministic and matches the documented formula", () => {
    expect(scorePost(base)).toBe(scorePost({ ...base }));
    const E = engagementTerm(base);
    const R = Math.pow(0.5, 2 / 6);
    expect(scorePost(base)).toBeCloseTo(0.45 * E + 0.25 * R + 0 + 0.15 * 0.5, 12);
    expect(engagementTerm({ likes: 100, reposts: 10, replies: 5, views: 5000 })).toBeCloseTo(0.6592, 4);
  });

  it("stays within 0..1 at the extremes", () => {
    expect(scorePost({ createdAt: "2020-01-01T00:00:00Z", now: "2026-02-25T00:00:00Z" })).toBe(0);
    const max = scorePost({
      likes: 1e12,
      reposts: 1e12,
      replies: 1e12,
      quotes: 1e12,
      views: 1e15,
      createdAt: "2026-02-25T00:00:00Z",
      now: "2026-02-25T00:00:00Z",
      tier: "priority",
      keywordHits: 1000,
    });
    expect(max).toBeLessThanOrEqual(1);
    expect(max).toBeGreaterThan(0.999);
    expect(
      scorePost({ likes: -5, createdAt: "2026-02-25T00:00:00Z", now: "2026-02-25T00:00:00Z" }),
    ).toBeGreaterThanOrEqual(0);
  });

  it.each([
    ["likes", [0, 1, 2, 10, 100, 10_000, 1_000_000]],
    ["reposts", [0, 1, 2, 10, 100, 10_000, 1_000_000]],
    ["replies", [0, 1, 2, 10, 100, 10_000, 1_000_000]],
    ["quotes", [0, 1, 2, 10, 100, 10_000, 1_000_000]],
    ["views", [0, 1, 2, 10, 100, 10_000, 1_000_000_000]],
    // Past ~50 hits 0.5^hits underflows against 1: the score stops rising but never falls.
    ["keywordHits", [0, 1, 2, 3, 5, 10, 20]],
  ] as const)("increases with %s", (field, values) => {
    let previous = -1;
    for (const value of values) {
      const s = scorePost({ ...base, [field]: value });
      expect(s).toBeGreaterThan(previous);
      previous = s;
    }
  });

  it("decreases with age, halving the recency term every half-life, and treats future posts as new", () => {
    const at = (hours: number) => scorePost({ ...base, now: new Date(Date.parse(base.createdAt) + hours * 3_600_000) });
    const ages = [0, 1, 6, 12, 48, 24 * 30];
    for (let i = 1; i < ages.length; i++) expect(at(ages[i]!)).toBeLessThan(at(ages[i - 1]!));
    expect(recencyTerm({ createdAt: base.createdAt, now: "2026-02-26T06:00:00Z" })).toBeCloseTo(0.25, 12);
    expect(recencyTerm({ createdAt: base.createdAt, now: "2026-02-25T12:00:00Z" })).toBe(1);
    expect(recencyTerm({ createdAt: base.createdAt, now: "2026-02-25T19:00:00Z", halfLifeHours: 1 })).toBeCloseTo(
      0.5,
      12,
    );
  });

  it("boosts priority accounts", () => {
    expect(scorePost({ ...base, tier: "priority" }) - scorePost(base)).toBeCloseTo(0.15, 12);
    expect(scorePost({ ...base, tier: null })).toBe(scorePost(base));
  });

  it("refuses unreadable times", () => {
    expect(() => scorePost({ ...base, createdAt: "yesterday" })).toThrow(/cannot score/);
  });
});

describe("countKeywordHits", () => {
  it("counts distinct keywords on word boundaries, phrases included", () => {
    const body = "Export controls on #AI inference chips. AI-driven demand, as the CEO said.";
    expect(countKeywordHits(body, ["ai", "AI", "export controls", "inference   chips", "sa", "tariffs"])).toBe(3);
    expect(countKeywordHits(body, [])).toBe(0);
    expect(countKeywordHits("price of c++ rises", ["c++"])).toBe(1);
  });
});
