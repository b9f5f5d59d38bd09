import { describe, expect, it } from "vitest";
import { groupByWindow, previousWindow, rankPosts, summariseWindow, windowFor, type WindowPost } from "./windows";

const post = (id: string, created_at: string, extra: Partial<WindowPost> = {}): WindowPost => ({
  status_id: id,
  author_handle: "macro_desk",
  body: `Post ${id} about export controls.`,
  created_at,
  score: 0.5,
  url: `https://x.com/macro_desk/status/${id}`,
  ...extra,
});

describe("windows", () => {
  it("aligns 6-hour windows on UTC and names them by mode, start and duration", () => {
    expect(windowFor({ mode: "discovery", time: "2026-02-25T19:39:12Z" })).toEqual({
      window_id: "discovery:2026-02-25T18:00:00Z/PT6H",
      mode: "discovery",
      window_start: "2026-02-25T18:00:00.000Z",
      window_end: "2026-02-26T00:00:00.000Z",
    });
    expect(windowFor({ mode: "priority", time: "2026-02-25T18:00:00.000Z" }).window_id).toBe(
      "priority:2026-02-25T18:00:00Z/PT6H",
    );
    expect(windowFor({ mode: "priority", time: "2026-02-25T17:59:59.999Z" }).window_id).toBe(
      "priority:2026-02-25T12:00:00Z/PT6H",
    );
    // Other zones are converted, not misread.
    expect(windowFor({ mode: "priority", time: "2026-02-25T13:00:00-05:00" }).window_id).toBe(
      "priority:2026-02-25T18:00:00Z/PT6H",
    );
    expect(windowFor({ mode: "priority", time: "2026-02-25T13:00:00Z", hours: 1 }).window_id).toBe(
      "priority:2026-02-25T13:00:00Z/PT1H",
    );
    expect(() => windowFor({ mode: "priority", time: "2026-02-25T13:00:00Z", hours: 5 })).toThrow(/divide 24/);
  });

  it("steps to the previous window across midnight", () => {
    expect(previousWindow(windowFor({ mode: "discovery", time: "2026-02-26T01:00:00Z" })).window_id).toBe(
      "discovery:2026-02-25T18:00:00Z/PT6H",
    );
  });

  it("groups posts by window, oldest first", () => {
    const groups = groupByWindow({
      mode: "discovery",
      posts: [post("3", "2026-02-25T19:00:00Z"), post("1", "2026-02-25T07:00:00Z"), post("2", "2026-02-25T19:30:00Z")],
    });
    expect(groups.map((g) => [g.window.window_id, g.posts.map((p) => p.status_id)])).toEqual([
      ["discovery:2026-02-25T06:00:00Z/PT6H", ["1"]],
      ["discovery:2026-02-25T18:00:00Z/PT6H", ["3", "2"]],
    ]);
  });

  it("ranks by score, then likes, then status id", () => {
    const ranked = rankPosts([
      post("10", "", { score: 0.5, like_count: 1 }),
      post("9", "", { score: 0.5, like_count: 1 }),
      post("8", "", { score: 0.5, like_count: 5 }),
      post("7", "", { score: 0.9 }),
    ]);
    expect(ranked.map((p) => p.status_id)).toEqual(["7", "8", "9", "10"]);
  });
});

describe("summariseWindow", () => {
  const window = windowFor({ mode: "discovery", time: "2026-02-25T19:00:00Z" });

  it("counts the window's posts and lists the top originals with an extractive summary", () => {
    const posts = [
      post("1", "2026-02-25T18:05:00Z", {
        score: 0.9,
        body: "Commerce extends export controls to inference chips. More later.",
      }),
      post("2", "2026-02-25T19:00:00Z", {
        score: 0.3,
        author_handle: "policywonk",
        body: "Export controls reach *inference* chips, again.",
      }),
      post("3", "2026-02-25T20:00:00Z", { score: 0.99, is_repost: true, body: "RT @x: Export controls" }),
      post("4", "2026-02-25T12:00:00Z", { score: 1 }),
    ];
    const summary = summariseWindow({ window, posts, topN: 2 });
    expect(summary).toMatchObject({ window_id: window.window_id, post_count: 3, top_status_ids: ["1", "2"] });
    expect(summary.summary_md).toBe(
      [
        "**3 posts** from 2 accounts, 2026-02-25 18:00–00:00 UTC.",
        "",
        "Top terms: export controls (2), inference chips (2).",
        "",
        "- **@macro_desk** (score 0.90): Commerce extends export controls to inference chips. [post](https://x.com/macro_desk/status/1)",
        "- **@policywonk** (score 0.30): Export controls reach \\*inference\\* chips, again. [post](https://x.com/macro_desk/status/2)",
      ].join("\n"),
    );
    expect(summariseWindow({ window, posts: [...posts].reverse(), topN: 2 })).toEqual(summary);
  });

  it("says so when the window is empty", () => {
    expect(summariseWindow({ window, posts: [] })).toMatchObject({
      post_count: 0,
      top_status_ids: [],
      summary_md: "No posts in 2026-02-25 18:00–00:00 UTC.",
    });
  });
});
