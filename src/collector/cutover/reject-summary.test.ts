import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { MAX_REASONS_PER_TABLE, OTHER_REASONS, rejectReasonLines, summarizeRejectLog } from "./reject-summary";

const dir = mkdtempSync(path.join(tmpdir(), "xm-reject-summary-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const line = (table: string, server: string, reason: string) =>
  `${JSON.stringify({ table, server_table: server, line: 1, key: "k", reason, row: null })}\n`;

describe("summarizeRejectLog", () => {
  it("counts each reason per server table, and prints the most frequent first", async () => {
    const file = path.join(dir, "a.ndjson");
    writeFileSync(
      file,
      line("watch_accounts", "watch_accounts", "permission denied for table watch_accounts").repeat(3) +
        line("tweet_embeddings", "embeddings", "permission denied for table embeddings").repeat(5) +
        line("tweets", "posts", "invalid posts item: body: too long") +
        line("tweets", "posts", "line is not JSON").repeat(2) +
        "not json at all\n\n",
    );
    const reasons = await summarizeRejectLog(file);
    expect(reasons).toEqual({
      watch_accounts: { "permission denied for table watch_accounts": 3 },
      embeddings: { "permission denied for table embeddings": 5 },
      posts: { "invalid posts item: body: too long": 1, "line is not JSON": 2 },
      "(unknown table)": { "(no reason logged)": 1 },
    });
    expect(rejectReasonLines(reasons)).toEqual([
      "  watch_accounts: 3 × permission denied for table watch_accounts",
      "  embeddings: 5 × permission denied for table embeddings",
      "  posts: 2 × line is not JSON",
      "  posts: 1 × invalid posts item: body: too long",
      "  (unknown table): 1 × (no reason logged)",
    ]);
  });

  it("keeps a bounded number of distinct reasons per table and counts the rest together", async () => {
    const file = path.join(dir, "many.ndjson");
    const distinct = MAX_REASONS_PER_TABLE + 15;
    writeFileSync(
      file,
      Array.from({ length: distinct }, (_, i) => line("tweets", "posts", `duplicate status_id ${i}`)).join("") +
        line("tweets", "posts", "duplicate status_id 0"),
    );
    const posts = (await summarizeRejectLog(file)).posts!;
    expect(Object.keys(posts)).toHaveLength(MAX_REASONS_PER_TABLE + 1);
    expect(posts["duplicate status_id 0"]).toBe(2);
    expect(posts[OTHER_REASONS]).toBe(15);
    expect(Object.values(posts).reduce((a, b) => a + b, 0)).toBe(distinct + 1);
  });

  it("is empty for an empty or missing log", async () => {
    const empty = path.join(dir, "empty.ndjson");
    writeFileSync(empty, "");
    expect(await summarizeRejectLog(empty)).toEqual({});
    expect(await summarizeRejectLog(path.join(dir, "missing.ndjson"))).toEqual({});
  });
});
