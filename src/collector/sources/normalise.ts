// X API v2 tweet objects → SourcePost rows. The author's handle is not in
// the tweet itself, only in includes.users (expansions=author_id).
import { toIsoMs } from "../util/time";
import type { SourcePost } from "./post-source";
import type { XPage, XTweet, XUser } from "./x-types";

/** X's ids are snowflakes: the top bits are milliseconds since this epoch. */
const TWITTER_EPOCH_MS = 1288834974657n;

/** Publication time encoded in a snowflake status id (for tweets without created_at). */
export function snowflakeTime(statusId: string): string {
  return toIsoMs(Number((BigInt(statusId) >> 22n) + TWITTER_EPOCH_MS));
}

const countOrNull = (v: number | undefined) => (typeof v === "number" && Number.isInteger(v) && v >= 0 ? v : null);

/** undefined when the author cannot be resolved from `users` (nor a fallback handle). */
export function normaliseTweet(
  tweet: XTweet,
  options: { usersById: ReadonlyMap<string, XUser>; fallbackHandle?: string },
): SourcePost | undefined {
  const user = tweet.author_id ? options.usersById.get(tweet.author_id) : undefined;
  const handle = (user?.username ?? options.fallbackHandle)?.replace(/^@/, "").toLowerCase();
  if (!handle) return undefined;
  const metrics = tweet.public_metrics ?? {};
  const refs = tweet.referenced_tweets ?? [];
  return {
    status_id: tweet.id,
    author_handle: handle,
    author_id: tweet.author_id ?? user?.id ?? null,
    body: tweet.note_tweet?.text ?? tweet.text,
    lang: tweet.lang ?? null,
    url: `https://x.com/${handle}/status/${tweet.id}`,
    created_at: tweet.created_at ? toIsoMs(tweet.created_at) : snowflakeTime(tweet.id),
    like_count: countOrNull(metrics.like_count),
    repost_count: countOrNull(metrics.retweet_count),
    reply_count: countOrNull(metrics.reply_count),
    quote_count: countOrNull(metrics.quote_count),
    view_count: countOrNull(metrics.impression_count),
    is_reply: refs.some((r) => r.type === "replied_to"),
    is_repost: refs.some((r) => r.type === "retweeted"),
    conversation_id: tweet.conversation_id ?? null,
    raw_json: JSON.stringify(tweet),
  };
}

/** One response page → posts, plus the ids of tweets whose author was not included. */
export function normalisePage(
  page: XPage,
  options: { fallbackHandle?: string } = {},
): { posts: SourcePost[]; unresolved: string[] } {
  const usersById = new Map((page.includes?.users ?? []).map((u) => [u.id, u]));
  const posts: SourcePost[] = [];
  const unresolved: string[] = [];
  for (const tweet of page.data ?? []) {
    const post = normaliseTweet(tweet, { usersById, fallbackHandle: options.fallbackHandle });
    if (post) posts.push(post);
    else unresolved.push(tweet.id);
  }
  return { posts, unresolved };
}
