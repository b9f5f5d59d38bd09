import { describe, expect, it } from "vitest";
import type { SourcePost } from "./post-source";
import { compileQuery } from "./replay-query";

const post = (body: string, extra: Partial<SourcePost> = {}): SourcePost => ({
  status_id: "1",
  author_handle: "policywonk",
  author_id: "2",
  body,
  lang: "en",
  url: "https://x.com/policywonk/status/1",
  created_at: "2026-02-25T19:39:12.000Z",
  like_count: 0,
  repost_count: 0,
  reply_count: 0,
  quote_count: 0,
  view_count: 0,
  is_reply: false,
  is_repost: false,
  conversation_id: "1",
  raw_json: "{}",
  ...extra,
});

const matches = (query: string, p: SourcePost) => compileQuery(query)(p);

describe("compileQuery", () => {
  const rule = post("Commerce to extend Export Controls to #inference chips, per $NWSM filings. AI said so.");

  it("matches all words as whole tokens, case-insensitively", () => {
    expect(matches("export controls", rule)).toBe(true);
    expect(matches("export tariffs", rule)).toBe(false);
    // "ai" is a token; "sa" inside "said" is not.
    expect(matches("ai", rule)).toBe(true);
    expect(matches("sa", rule)).toBe(false);
  });

  it("lets a word match its hashtag and cashtag, but a hashtag only itself", () => {
    expect(matches("inference", rule)).toBe(true);
    expect(matches("nwsm", rule)).toBe(true);
    expect(matches("#inference", rule)).toBe(true);
    expect(matches("#commerce", rule)).toBe(false);
  });

  it("handles phrases, OR, parentheses and negation", () => {
    expect(matches('"export controls to inference"', rule)).toBe(true);
    expect(matches('"controls export"', rule)).toBe(false);
    expect(matches("tariffs OR chips", rule)).toBe(true);
    expect(matches("(tariffs OR quotas) chips", rule)).toBe(false);
    expect(matches("(tariffs OR commerce) -quotas", rule)).toBe(true);
    expect(matches('chips -"export controls"', rule)).toBe(false);
  });

  it("supports from:, lang:, is: and has: operators", () => {
    expect(matches("from:PolicyWonk chips", rule)).toBe(true);
    expect(matches("from:macro_desk", rule)).toBe(false);
    expect(matches("lang:en -is:retweet -is:reply", rule)).toBe(true);
    expect(matches("is:retweet", post("RT @x: y", { is_repost: true }))).toBe(true);
    expect(matches("has:links", post("see https://t.co/abc"))).toBe(true);
    expect(matches("is:quote", post("x", { raw_json: '{"referenced_tweets":[{"type":"quoted","id":"9"}]}' }))).toBe(
      true,
    );
  });

  it("refuses what it cannot honour instead of matching nothing", () => {
    expect(() => compileQuery("place_country:US chips")).toThrow(
      /does not support the search operator "place_country:US"/,
    );
    expect(() => compileQuery('"unclosed phrase')).toThrow(/unbalanced quote/);
    expect(() => compileQuery("(chips OR tariffs")).toThrow(/missing "\)"/);
    expect(() => compileQuery("chips )")).toThrow(/unexpected "\)"/);
    expect(() => compileQuery("chips OR")).toThrow(/empty clause/);
  });
});
