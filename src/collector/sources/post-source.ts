// Where posts come from: the X API, or a recorded replay file for demos and
// tests. Both return the same normalised posts (normalise.ts).

/** A post as the store wants it, before the run adds mode, run id and score. */
export type SourcePost = {
  status_id: string;
  author_handle: string;
  author_id: string | null;
  body: string;
  lang: string | null;
  url: string;
  created_at: string;
  like_count: number | null;
  repost_count: number | null;
  reply_count: number | null;
  quote_count: number | null;
  view_count: number | null;
  is_reply: boolean;
  is_repost: boolean;
  conversation_id: string | null;
  /** The source's tweet object, as received. */
  raw_json: string;
};

export type SourceUser = { user_id: string; handle: string; name: string | null };

/** A watched account; without user_id the source looks the handle up first. */
export type SourceAccount = { handle: string; user_id?: string | null };

export type PostSource = {
  readonly name: string;
  /** The account's own posts newer than sinceId (all the source offers when undefined), newest first. */
  fetchUserTimeline(account: SourceAccount, sinceId?: string): Promise<SourcePost[]>;
  /** Posts matching an X search query newer than sinceId, newest first. */
  searchRecent(query: string, sinceId?: string): Promise<SourcePost[]>;
  /** Handles that exist; unknown handles are left out. */
  lookupUsers(handles: readonly string[]): Promise<SourceUser[]>;
};
