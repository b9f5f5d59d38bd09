import { describe, expect, it } from "vitest";
import { normalisePage, normaliseTweet, snowflakeTime } from "./normalise";
import { macroDesk, timelinePage1 } from "../../../test/support/x-api-fixtures";

describe("normalise", () => {
  it("reads the publication time out of a snowflake id", () => {
    // X's own documentation example: this post's created_at is 2019-12-31T19:26:16.000Z.
    expect(snowflakeTime("1212092628029698048")).toBe("2019-12-31T19:26:16.771Z");
    expect(snowflakeTime("2026743803171545537")).toBe("2026-02-25T19:39:12.412Z");
  });

  it("maps a page with includes.users to posts", () => {
    const { posts, unresolved } = normalisePage(timelinePage1);
    expect(unresolved).toEqual([]);
    expect(posts[1]).toEqual({
      status_id: "2026737040720310277",
      author_handle: "macro_desk",
      author_id: "1458213301",
      body: "@policywonk Agreed, the auction tail was the tell.",
      lang: "en",
      url: "https://x.com/macro_desk/status/2026737040720310277",
      created_at: "2026-02-25T19:12:20.000Z",
      like_count: 9,
      repost_count: 0,
      reply_count: 1,
      quote_count: 0,
      view_count: 1302,
      is_reply: true,
      is_repost: false,
      conversation_id: "2026735205762592770",
      raw_json: JSON.stringify(timelinePage1.data![1]),
    });
  });

  it("uses the long-form text, falls back to the snowflake time, and leaves absent metrics null", () => {
    const post = normaliseTweet(
      { id: "2026743803171545537", text: "cut…", author_id: macroDesk.id, note_tweet: { text: "the whole long post" } },
      { usersById: new Map([[macroDesk.id, macroDesk]]) },
    );
    expect(post).toMatchObject({
      body: "the whole long post",
      created_at: "2026-02-25T19:39:12.412Z",
      like_count: null,
      view_count: null,
      lang: null,
      is_reply: false,
    });
  });

  it("reports tweets whose author is not included, unless a fallback handle is given", () => {
    const page = { data: [{ id: "5", text: "x", author_id: "404" }] };
    expect(normalisePage(page)).toEqual({ posts: [], unresolved: ["5"] });
    expect(normalisePage(page, { fallbackHandle: "@Someone" }).posts[0]?.author_handle).toBe("someone");
  });
});
