// Recorded posts for demos and tests, served through the same PostSource
// interface as the X API.
//
// File format (JSON Lines, UTF-8): one post per line, in X API v2 shapes,
//   {"tweet": <X tweet object>, "user": <X user object: id, username, name>}
// Recording the API's own shapes (not normalised rows) means replayed posts
// go through the same normalise.ts as live ones, raw_json included. Blank
// lines and lines starting with '//' are skipped.
import { readFile } from "node:fs/promises";
import { compareStatusIds } from "../util/ids";
import { normaliseTweet } from "./normalise";
import type { PostSource, SourceAccount, SourcePost, SourceUser } from "./post-source";
import { compileQuery } from "./replay-query";
import type { XTweet, XUser } from "./x-types";

export type ReplayLine = { tweet: XTweet; user: XUser };

export function parseReplayLines(text: string, fileName = "replay file"): ReplayLine[] {
  const lines: ReplayLine[] = [];
  text.split(/\r?\n/).forEach((line, i) => {
    const trimmed = line.trim();
    if (trimmed === "" || trimmed.startsWith("//")) return;
    let value: unknown;
    try {
      value = JSON.parse(trimmed);
    } catch (error) {
      throw new SyntaxError(`${fileName} line ${i + 1}: not JSON (${(error as Error).message})`);
    }
    const v = value as Partial<ReplayLine>;
    if (typeof v.tweet?.id !== "string" || !/^\d{1,20}$/.test(v.tweet.id) || typeof v.tweet.text !== "string") {
      throw new SyntaxError(`${fileName} line ${i + 1}: expected {"tweet": {"id": "<digits>", "text": …}, "user": …}`);
    }
    if (typeof v.user?.id !== "string" || typeof v.user.username !== "string") {
      throw new SyntaxError(`${fileName} line ${i + 1}: expected "user" with "id" and "username"`);
    }
    lines.push(v as ReplayLine);
  });
  return lines;
}

export function createReplaySource(options: {
  file: string;
  /** When set, posts published after this time stay hidden, so a demo "goes live" as the clock moves. */
  clock?: () => Date;
  /** At most this many posts per call, newest first (X's pages bound a live call too). */
  maxPostsPerCall?: number;
}): PostSource {
  const limit = options.maxPostsPerCall ?? 500;

  // Read on every call: the file is small and a demo may regenerate it mid-run.
  const load = async () => parseReplayLines(await readFile(options.file, "utf8"), options.file);

  async function posts(): Promise<{ post: SourcePost; user: XUser }[]> {
    const lines = await load();
    const cutoff = options.clock?.().getTime();
    const out: { post: SourcePost; user: XUser }[] = [];
    for (const { tweet, user } of lines) {
      const post = normaliseTweet(
        { ...tweet, author_id: tweet.author_id ?? user.id },
        { usersById: new Map([[user.id, user]]) },
      );
      if (post && (cutoff === undefined || Date.parse(post.created_at) <= cutoff)) out.push({ post, user });
    }
    return out.sort((a, b) => compareStatusIds(b.post.status_id, a.post.status_id));
  }

  const newer = (sinceId: string | undefined) => (p: SourcePost) =>
    sinceId === undefined || compareStatusIds(p.status_id, sinceId) > 0;

  return {
    name: "replay",
    async fetchUserTimeline(account: SourceAccount, sinceId?: string) {
      const handle = account.handle.replace(/^@/, "").toLowerCase();
      const all = await posts();
      return all
        .filter(({ post, user }) => (account.user_id ? user.id === account.user_id : post.author_handle === handle))
        .map(({ post }) => post)
        .filter(newer(sinceId))
        .slice(0, limit);
    },
    async searchRecent(query: string, sinceId?: string) {
      const matches = compileQuery(query);
      return (await posts())
        .map(({ post }) => post)
        .filter((p) => newer(sinceId)(p) && matches(p))
        .slice(0, limit);
    },
    async lookupUsers(handles: readonly string[]): Promise<SourceUser[]> {
      const wanted = new Set(handles.map((h) => h.trim().replace(/^@/, "").toLowerCase()));
      const found = new Map<string, SourceUser>();
      for (const { user } of await load()) {
        const handle = user.username.toLowerCase();
        if (wanted.has(handle) && !found.has(handle))
          found.set(handle, { user_id: user.id, handle, name: user.name ?? null });
      }
      return [...found.values()];
    },
  };
}
