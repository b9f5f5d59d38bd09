import { describe, expect, it } from "vitest";
import { buildDigestReport, digestKind, type DigestPost } from "./report";

const post = (id: string, score: number, extra: Partial<DigestPost> = {}): DigestPost => ({
  status_id: id,
  author_handle: "macro_desk",
  body: `Body ${id}. Second sentence.`,
  created_at: "2026-02-25T19:00:00Z",
  score,
  url: `https://x.com/macro_desk/status/${id}`,
  ...extra,
});

describe("buildDigestReport", () => {
  it("names the kind after the mode", () => {
    expect(digestKind("priority")).toBe("priority-digest");
    expect(digestKind("discovery")).toBe("discovery-digest");
  });

  it("lists the top posts, shifts and windows, and cites every post it mentions", () => {
    const report = buildDigestReport({
      runId: "run-1",
      mode: "priority",
      now: "2026-02-25T20:00:00Z",
      topN: 2,
      posts: [
        post("1", 0.4, { like_count: 1, repost_count: 2, reply_count: 1 }),
        post("2", 0.9, { author_handle: "policywonk" }),
        post("3", 0.1),
        post("4", 0.99, { is_repost: true }),
      ],
      shifts: [
        {
          shift_id: "s",
          topic: "export controls",
          detected_at: "2026-02-25T20:00:00Z",
          window_id: "w",
          magnitude: 0.5,
          description: "rose",
          status_ids: ["3", "2"],
        },
      ],
      windows: [
        {
          window_id: "priority:2026-02-25T18:00:00Z/PT6H",
          mode: "priority",
          window_start: "",
          window_end: "",
          post_count: 4,
          summary_md: "",
          top_status_ids: [],
        },
      ],
    });
    expect(report).toMatchObject({
      run_id: "run-1",
      kind: "priority-digest",
      title: "Priority digest, 2026-02-25 20:00 UTC: 4 posts",
      status_ids: ["2", "1", "3"],
    });
    expect(report.body_md).toBe(
      [
        "# Priority digest",
        "",
        "Run run-1 at 2026-02-25 20:00 UTC: 4 posts from 2 accounts.",
        "",
        "## Top posts",
        "",
        "1. **@policywonk** · score 0.90 · [post](https://x.com/macro_desk/status/2)",
        "   > Body 2.",
        "2. **@macro_desk** · score 0.40 · 1 like, 2 reposts, 1 reply · [post](https://x.com/macro_desk/status/1)",
        "   > Body 1.",
        "",
        "## Narrative shifts",
        "",
        "- **export controls** (magnitude 0.50): rose",
        "",
        "## Windows",
        "",
        "- priority:2026-02-25T18:00:00Z/PT6H: 4 posts",
      ].join("\n"),
    );
  });

  it("keeps the same id for the same run and kind, and says when nothing was found", () => {
    const a = buildDigestReport({ runId: "run-2", mode: "discovery", posts: [], now: "2026-02-25T20:00:00Z" });
    const b = buildDigestReport({ runId: "run-2", mode: "discovery", posts: [], now: "2026-02-25T21:00:00Z" });
    expect(a.report_id).toBe(b.report_id);
    expect(
      buildDigestReport({ runId: "run-2", mode: "priority", posts: [], now: "2026-02-25T20:00:00Z" }).report_id,
    ).not.toBe(a.report_id);
    expect(a.body_md).toContain("No new posts in this run.");
    expect(a).toMatchObject({ kind: "discovery-digest", status_ids: [] });
  });
});
