// Responses in the shapes X API v2 really sends (field order, meta, problem
// documents), recorded for the fake server in the tests.
import type { XPage, XUser } from "../../src/collector/sources/x-types";

export const macroDesk: XUser = { id: "1458213301", name: "Macro Desk", username: "Macro_Desk" };
export const policyWonk: XUser = { id: "2209840715", name: "Policy Wonk", username: "policywonk" };

export const timelinePage1: XPage = {
  data: [
    {
      edit_history_tweet_ids: ["2026743803171545537"],
      conversation_id: "2026743803171545537",
      author_id: "1458213301",
      id: "2026743803171545537",
      created_at: "2026-02-25T19:39:12.000Z",
      lang: "en",
      public_metrics: {
        retweet_count: 41,
        reply_count: 17,
        like_count: 388,
        quote_count: 6,
        bookmark_count: 52,
        impression_count: 48213,
      },
      text: "10y yields up 12bp on the week as the curve bear-steepens. Term premium is doing the work, not rate expectations.",
    },
    {
      edit_history_tweet_ids: ["2026737040720310277"],
      conversation_id: "2026735205762592770",
      referenced_tweets: [{ type: "replied_to", id: "2026735205762592770" }],
      author_id: "1458213301",
      id: "2026737040720310277",
      created_at: "2026-02-25T19:12:20.000Z",
      lang: "en",
      public_metrics: {
        retweet_count: 0,
        reply_count: 1,
        like_count: 9,
        quote_count: 0,
        bookmark_count: 0,
        impression_count: 1302,
      },
      text: "@policywonk Agreed, the auction tail was the tell.",
    },
  ],
  includes: { users: [macroDesk] },
  meta: {
    result_count: 2,
    newest_id: "2026743803171545537",
    oldest_id: "2026737040720310277",
    next_token: "7140dibdnow9c7btw4b0oqi1nvjpj8xr0a9rfrfkfxsjl",
  },
};

export const timelinePage2: XPage = {
  data: [
    {
      edit_history_tweet_ids: ["2026676058698334631"],
      conversation_id: "2026676058698334631",
      referenced_tweets: [{ type: "retweeted", id: "2026658876027514883" }],
      author_id: "1458213301",
      id: "2026676058698334631",
      created_at: "2026-02-25T15:10:00.000Z",
      lang: "en",
      public_metrics: {
        retweet_count: 120,
        reply_count: 0,
        like_count: 0,
        quote_count: 0,
        bookmark_count: 0,
        impression_count: 0,
      },
      text: "RT @policywonk: The draft export-control rule would cover inference chips above a compute threshold, not just training clusters.",
    },
  ],
  includes: { users: [macroDesk] },
  meta: { result_count: 1, newest_id: "2026676058698334631", oldest_id: "2026676058698334631" },
};

export function searchPage(index: number, nextToken: string | undefined): XPage {
  const id = String(2026749035934646272n + (BigInt(index * 60_000) << 22n));
  return {
    data: [
      {
        edit_history_tweet_ids: [id],
        conversation_id: id,
        author_id: policyWonk.id,
        id,
        created_at: "2026-02-25T20:0" + String(index) + ":00.000Z",
        lang: "en",
        public_metrics: {
          retweet_count: index,
          reply_count: 0,
          like_count: 3 * index,
          quote_count: 0,
          bookmark_count: 0,
          impression_count: 100 * index,
        },
        text: `Page ${index}: compute thresholds keep showing up in the AI policy drafts.`,
      },
    ],
    includes: { users: [policyWonk] },
    meta: { result_count: 1, newest_id: id, oldest_id: id, ...(nextToken ? { next_token: nextToken } : {}) },
  };
}

export const usersByWithMissing = {
  data: [macroDesk],
  errors: [
    {
      value: "ghost_acct",
      detail: "Could not find user with usernames: [ghost_acct].",
      title: "Not Found Error",
      resource_type: "user",
      parameter: "usernames",
      resource_id: "ghost_acct",
      type: "https://api.twitter.com/2/problems/resource-not-found",
    },
  ],
};

export const tooManyRequests = {
  title: "Too Many Requests",
  detail: "Too Many Requests",
  type: "about:blank",
  status: 429,
};
export const unauthorized = { title: "Unauthorized", type: "about:blank", status: 401, detail: "Unauthorized" };
export const protectedTimeline = {
  errors: [
    {
      resource_type: "user",
      field: "id",
      parameter: "id",
      resource_id: "99",
      title: "Authorization Error",
      section: "data",
      detail: "Sorry, you are not authorized to see the user with id: [99].",
      value: "99",
      type: "https://api.twitter.com/2/problems/not-authorized-for-resource",
    },
  ],
};
