import { mkdtempSync, rmSync, writeFileSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { compareStatusIds } from "../util/ids";
import { generateReplayLines, REPLAY_ACCOUNTS, writeReplayFile } from "./replay-generator";
import { createReplaySource, parseReplayLines } from "./replay-source";

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(path.join(tmpdir(), "xmon-replay-"));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const range = { start: "2026-02-24T00:00:00Z", end: "2026-02-26T00:00:00Z" };

describe("replay generator", () => {
  it("is deterministic for a seed and differs between seeds", async () => {
    const a = path.join(dir, "a.jsonl");
    const b = path.join(dir, "b.jsonl");
    await writeReplayFile({ file: a, seed: 7, count: 120, ...range });
    await writeReplayFile({ file: b, seed: 7, count: 120, ...range });
    expect(readFileSync(a, "utf8")).toBe(readFileSync(b, "utf8"));
    expect(JSON.stringify(generateReplayLines({ seed: 8, count: 120, ...range }))).not.toBe(readFileSync(a, "utf8"));
  });

  it("writes X-shaped posts in time order with snowflake ids inside the range", () => {
    const lines = generateReplayLines({ seed: "demo", count: 300, ...range });
    expect(lines).toHaveLength(300);
    const ids = lines.map((l) => l.tweet.id);
    expect(new Set(ids).size).toBe(300);
    expect([...ids].sort(compareStatusIds)).toEqual(ids);
    for (const { tweet, user } of lines) {
      expect(tweet.created_at! >= "2026-02-24T00:00:00.000Z" && tweet.created_at! < "2026-02-26T00:00:00.000Z").toBe(
        true,
      );
      expect(tweet.author_id).toBe(user.id);
      expect(tweet.text.length).toBeGreaterThan(0);
      expect(tweet.text).not.toMatch(/[{}]/);
      expect(REPLAY_ACCOUNTS.map((a) => a.username)).toContain(user.username);
    }
    const kinds = lines.map((l) => l.tweet.referenced_tweets?.[0]?.type ?? "original");
    expect(new Set(kinds)).toEqual(new Set(["original", "replied_to", "retweeted", "quoted"]));
    // The storyline appears only in the later part of the range.
    const story = lines.filter((l) => l.tweet.text.includes("inference chip"));
    expect(story.length).toBeGreaterThan(10);
    expect(story.every((l) => l.tweet.created_at! >= "2026-02-25T00:00:00.000Z")).toBe(true);
  });
});

describe("replay source", () => {
  it("serves timelines, searches and user lookups, newest first, after sinceId", async () => {
    const file = path.join(dir, "r.jsonl");
    await writeReplayFile({ file, seed: 3, count: 200, ...range });
    const source = createReplaySource({ file });

    const timeline = await source.fetchUserTimeline({ handle: "@Macro_Desk" });
    expect(timeline.length).toBeGreaterThan(3);
    expect(timeline.every((p) => p.author_handle === "macro_desk")).toBe(true);
    expect(timeline.map((p) => p.status_id)).toEqual(
      timeline
        .map((p) => p.status_id)
        .sort(compareStatusIds)
        .reverse(),
    );
    const since = timeline[2]!.status_id;
    expect((await source.fetchUserTimeline({ handle: "macro_desk" }, since)).map((p) => p.status_id)).toEqual(
      timeline.slice(0, 2).map((p) => p.status_id),
    );

    const found = await source.searchRecent('"inference chips" -is:retweet');
    expect(found.length).toBeGreaterThan(0);
    expect(found.every((p) => /inference chips/i.test(p.body) && !p.is_repost)).toBe(true);

    expect(await source.lookupUsers(["MACRO_DESK", "nobody_here"])).toEqual([
      { user_id: expect.stringMatching(/^\d+$/), handle: "macro_desk", name: "Macro Desk" },
    ]);
  });

  it("hides posts published after the clock", async () => {
    const file = path.join(dir, "r.jsonl");
    await writeReplayFile({ file, seed: 3, count: 200, ...range });
    const all = await createReplaySource({ file }).searchRecent("-is:retweet OR is:retweet");
    const early = await createReplaySource({ file, clock: () => new Date("2026-02-25T00:00:00Z") }).searchRecent(
      "-is:retweet OR is:retweet",
    );
    expect(all).toHaveLength(200);
    expect(early.length).toBeLessThan(200);
    expect(early.every((p) => p.created_at <= "2026-02-25T00:00:00.000Z")).toBe(true);
  });

  it("names the line of a malformed file", async () => {
    const file = path.join(dir, "bad.jsonl");
    writeFileSync(
      file,
      '// recorded 2026-02-25\n{"tweet":{"id":"1","text":"ok"},"user":{"id":"2","username":"a"}}\n\n{"tweet":{"id":"x"}}\n',
    );
    await expect(createReplaySource({ file }).searchRecent("ok")).rejects.toThrow(/bad.jsonl line 4: expected/);
    expect(() => parseReplayLines("{nope", "f")).toThrow(/f line 1: not JSON/);
  });
});
