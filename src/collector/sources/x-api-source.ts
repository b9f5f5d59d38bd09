// X API v2 over fetch with an app bearer token. X limits each endpoint per
// 15-minute window and says how much is left in x-rate-limit-* headers: we
// wait for the reset instead of burning requests into 429s, and on a 429 we
// wait once more and retry. Time and sleep are injectable so tests run fast.
import { HttpError, retryAfterHeader } from "../uplink/http-error";
import { normalisePage } from "./normalise";
import type { PostSource, SourceAccount, SourcePost, SourceUser } from "./post-source";
import type { XPage, XTweet, XUser } from "./x-types";

export const TWEET_FIELDS = "created_at,public_metrics,lang,conversation_id,referenced_tweets,author_id,note_tweet";
const USER_FIELDS = "username,name";

export type XApiSourceOptions = {
  bearerToken: string;
  baseUrl?: string;
  fetch?: typeof fetch;
  sleep?: (ms: number) => Promise<void>;
  /** Milliseconds since the epoch. */
  now?: () => number;
  /** Pages followed through meta.next_token per call (each up to 100 posts). */
  maxPages?: number;
  /** 429 answers waited out per request before giving up. */
  maxRateLimitWaits?: number;
  /** A reset further away than this fails the call (for the next run to pick up) instead of blocking it. */
  maxWaitSeconds?: number;
  timeoutMs?: number;
  log?: (line: string) => void;
};

type Limit = { remaining: number; resetAtMs: number };

const defaultSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

export function createXApiSource(options: XApiSourceOptions): PostSource {
  const baseUrl = (options.baseUrl ?? "https://api.x.com").replace(/\/+$/, "");
  const doFetch = options.fetch ?? fetch;
  const sleep = options.sleep ?? defaultSleep;
  const now = options.now ?? Date.now;
  const maxPages = options.maxPages ?? 5;
  const maxWaits = options.maxRateLimitWaits ?? 2;
  const maxWaitMs = (options.maxWaitSeconds ?? 900) * 1000;
  const log = options.log ?? (() => undefined);
  const limits = new Map<string, Limit>();

  async function waitUntil(endpoint: string, resetAtMs: number, why: string): Promise<void> {
    // One second of margin: X's reset is a whole second and clocks drift.
    const waitMs = Math.max(0, resetAtMs - now()) + 1000;
    if (waitMs > maxWaitMs) {
      throw new HttpError(
        `X rate limit on ${endpoint} resets in ${Math.ceil(waitMs / 1000)} s, longer than the ${maxWaitMs / 1000} s allowed`,
        429,
        Math.ceil(waitMs / 1000),
      );
    }
    log(`x-api: ${why} on ${endpoint}; waiting ${Math.ceil(waitMs / 1000)} s for the reset`);
    await sleep(waitMs);
  }

  function resetFrom(response: Response): number | undefined {
    const reset = Number(response.headers.get("x-rate-limit-reset"));
    if (Number.isFinite(reset) && reset > 0) return reset * 1000;
    const retryAfter = Number(response.headers.get("retry-after"));
    return Number.isFinite(retryAfter) && retryAfter >= 0 ? now() + retryAfter * 1000 : undefined;
  }

  async function get<T>(endpoint: string, path: string, params: Record<string, string | undefined>): Promise<XPage<T>> {
    const url = new URL(`${baseUrl}${path}`);
    for (const [k, v] of Object.entries(params)) if (v !== undefined) url.searchParams.set(k, v);

    for (let waits = 0; ; waits++) {
      const limit = limits.get(endpoint);
      if (limit && limit.remaining <= 0 && limit.resetAtMs > now())
        await waitUntil(endpoint, limit.resetAtMs, "no requests left");

      let response: Response;
      try {
        response = await doFetch(url, {
          headers: { authorization: `Bearer ${options.bearerToken}` },
          signal: AbortSignal.timeout(options.timeoutMs ?? 30_000),
        });
      } catch (error) {
        throw new HttpError(`cannot reach ${baseUrl}: ${(error as Error).message}`, undefined, undefined);
      }
      const remaining = Number(response.headers.get("x-rate-limit-remaining"));
      const resetAtMs = resetFrom(response);
      if (Number.isFinite(remaining) && response.headers.has("x-rate-limit-remaining") && resetAtMs !== undefined)
        limits.set(endpoint, { remaining, resetAtMs });

      if (response.status === 429) {
        await response.body?.cancel();
        const resetAt = resetAtMs ?? now() + 60_000;
        if (waits >= maxWaits)
          throw new HttpError(
            `X answered 429 on ${endpoint} ${waits + 1} times`,
            429,
            Math.max(1, Math.ceil((resetAt - now()) / 1000)),
          );
        limits.set(endpoint, { remaining: 0, resetAtMs: resetAt });
        continue;
      }
      if (!response.ok) {
        const text = await response.text();
        let detail = text.slice(0, 500);
        try {
          const problem = JSON.parse(text) as { title?: string; detail?: string };
          detail = [problem.title, problem.detail].filter(Boolean).join(": ") || detail;
        } catch {
          // Not X's JSON problem format (a proxy's HTML page): keep the raw text.
        }
        throw new HttpError(
          `X answered ${response.status} on ${endpoint}: ${detail}`,
          response.status,
          retryAfterHeader(response),
        );
      }
      return (await response.json()) as XPage<T>;
    }
  }

  /** Follows meta.next_token up to maxPages; returns posts newest first, without duplicates. */
  async function paged(
    endpoint: string,
    path: string,
    params: Record<string, string | undefined>,
    tokenParam: string,
    fallbackHandle?: string,
  ): Promise<SourcePost[]> {
    const seen = new Set<string>();
    const posts: SourcePost[] = [];
    let token: string | undefined;
    for (let page = 0; page < maxPages; page++) {
      const body = await get<XTweet>(endpoint, path, { ...params, [tokenParam]: token });
      if (!body.data?.length && body.errors?.length) {
        // A 200 that carries only errors: e.g. a protected or suspended account.
        const first = body.errors[0]!;
        throw new HttpError(
          `X returned no posts on ${endpoint}: ${[first.title, first.detail].filter(Boolean).join(": ")}`,
          200,
          undefined,
        );
      }
      const { posts: pagePosts, unresolved } = normalisePage(body, { fallbackHandle });
      if (unresolved.length)
        log(
          `x-api: ${unresolved.length} post(s) on ${endpoint} without an included author, skipped: ${unresolved.join(", ")}`,
        );
      for (const p of pagePosts) {
        if (!seen.has(p.status_id)) {
          seen.add(p.status_id);
          posts.push(p);
        }
      }
      token = body.meta?.next_token;
      if (!token) break;
    }
    return posts;
  }

  async function lookupUsers(handles: readonly string[]): Promise<SourceUser[]> {
    const clean = [...new Set(handles.map((h) => h.trim().replace(/^@/, "").toLowerCase()).filter(Boolean))];
    const users: SourceUser[] = [];
    // /2/users/by takes at most 100 usernames per request.
    for (let i = 0; i < clean.length; i += 100) {
      const body = await get<XUser>("users/by", "/2/users/by", {
        usernames: clean.slice(i, i + 100).join(","),
        "user.fields": USER_FIELDS,
      });
      for (const u of body.data ?? [])
        users.push({ user_id: u.id, handle: u.username.toLowerCase(), name: u.name ?? null });
    }
    return users;
  }

  const tweetParams = {
    max_results: "100",
    "tweet.fields": TWEET_FIELDS,
    expansions: "author_id",
    "user.fields": USER_FIELDS,
  };

  return {
    name: "x-api",
    lookupUsers,
    async fetchUserTimeline(account: SourceAccount, sinceId?: string) {
      const handle = account.handle.replace(/^@/, "").toLowerCase();
      let userId = account.user_id ?? undefined;
      if (!userId) {
        userId = (await lookupUsers([handle]))[0]?.user_id;
        if (!userId) throw new HttpError(`no X account @${handle}`, 404, undefined);
      }
      // The user timeline pages with pagination_token, search with next_token.
      return paged(
        "users/:id/tweets",
        `/2/users/${encodeURIComponent(userId)}/tweets`,
        { ...tweetParams, since_id: sinceId },
        "pagination_token",
        handle,
      );
    },
    async searchRecent(query: string, sinceId?: string) {
      return paged(
        "tweets/search/recent",
        "/2/tweets/search/recent",
        { ...tweetParams, query, since_id: sinceId },
        "next_token",
      );
    },
  };
}
