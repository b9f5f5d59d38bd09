// The parts of X API v2 payloads the collector reads (tweet objects with
// tweet.fields=created_at,public_metrics,lang,conversation_id,
// referenced_tweets,author_id,note_tweet and expansions=author_id).

export type XUser = { id: string; username: string; name?: string };

export type XPublicMetrics = {
  retweet_count?: number;
  reply_count?: number;
  like_count?: number;
  quote_count?: number;
  bookmark_count?: number;
  impression_count?: number;
};

export type XTweet = {
  id: string;
  text: string;
  author_id?: string;
  created_at?: string;
  lang?: string;
  conversation_id?: string;
  public_metrics?: XPublicMetrics;
  referenced_tweets?: { type: "retweeted" | "quoted" | "replied_to"; id: string }[];
  /** Posts longer than 280 characters: `text` is cut, the full text is here. */
  note_tweet?: { text?: string };
  edit_history_tweet_ids?: string[];
};

export type XError = {
  title?: string;
  detail?: string;
  type?: string;
  value?: string;
  resource_type?: string;
  parameter?: string;
};

export type XPage<T = XTweet> = {
  data?: T[];
  includes?: { users?: XUser[] };
  meta?: { result_count?: number; next_token?: string; newest_id?: string; oldest_id?: string };
  errors?: XError[];
};
