// The collector's SQLite contract (shared/contracts/x_monitor.sqlite.sql),
// copied here because the contract file does not ship with the collector.
// Databases in this shape already exist on operators' machines: only add
// tables or nullable columns, never rename or drop.
export const SQLITE_SCHEMA = `
CREATE TABLE IF NOT EXISTS watch_accounts (
  handle      TEXT PRIMARY KEY,            -- lowercase, without '@'
  user_id     TEXT,                        -- X user id, when known
  tier        TEXT NOT NULL CHECK (tier IN ('priority', 'discovery')),
  active      INTEGER NOT NULL DEFAULT 1,
  note        TEXT,
  added_at    TEXT NOT NULL,
  updated_at  TEXT NOT NULL
);

CREATE TABLE IF NOT EXISTS runs (
  run_id         TEXT PRIMARY KEY,         -- uuid
  mode           TEXT NOT NULL,            -- 'priority' | 'discovery' | 'refresh-24h' | 'manual'
  run_at         TEXT NOT NULL,            -- when the run started
  finished_at    TEXT,
  status         TEXT NOT NULL CHECK (status IN ('running', 'success', 'failed')),
  fetched_count  INTEGER NOT NULL DEFAULT 0,
  new_count      INTEGER NOT NULL DEFAULT 0,
  error          TEXT,
  updated_at     TEXT NOT NULL
);

CREATE TABLE IF NOT EXISTS tweets (
  status_id        TEXT PRIMARY KEY,       -- X status id, decimal digits
  author_handle    TEXT NOT NULL,
  author_id        TEXT,
  body             TEXT NOT NULL,
  lang             TEXT,
  url              TEXT,
  created_at       TEXT NOT NULL,          -- when the post was published
  collected_at     TEXT NOT NULL,          -- when the collector first saw it
  mode             TEXT NOT NULL,          -- mode of the run that found it
  run_id           TEXT,                   -- that run
  like_count       INTEGER,
  repost_count     INTEGER,
  reply_count      INTEGER,
  quote_count      INTEGER,
  view_count       INTEGER,
  is_reply         INTEGER NOT NULL DEFAULT 0,
  is_repost        INTEGER NOT NULL DEFAULT 0,
  conversation_id  TEXT,
  score            REAL,                   -- local relevance score, 0..1
  raw_json         TEXT,                   -- the source payload, as received
  updated_at       TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS tweets_created_at ON tweets (created_at);
CREATE INDEX IF NOT EXISTS tweets_updated_at ON tweets (updated_at);

CREATE TABLE IF NOT EXISTS reports (
  report_id   TEXT PRIMARY KEY,            -- uuid
  run_id      TEXT,
  kind        TEXT NOT NULL,               -- e.g. 'priority-digest', 'discovery-digest', 'alert'
  title       TEXT NOT NULL,
  body_md     TEXT NOT NULL,
  status_ids  TEXT NOT NULL DEFAULT '[]',  -- JSON array of the posts it cites
  created_at  TEXT NOT NULL,
  updated_at  TEXT NOT NULL
);

CREATE TABLE IF NOT EXISTS tweet_embeddings (
  status_id   TEXT PRIMARY KEY,            -- the tweet embedded
  model       TEXT NOT NULL,
  dims        INTEGER NOT NULL,
  vector      BLOB NOT NULL,               -- dims float32 values, little-endian
  created_at  TEXT NOT NULL,
  updated_at  TEXT NOT NULL
);

CREATE TABLE IF NOT EXISTS window_summaries (
  window_id     TEXT PRIMARY KEY,          -- e.g. 'discovery:2026-02-25T18:00:00Z/PT6H'
  mode          TEXT NOT NULL,
  window_start  TEXT NOT NULL,
  window_end    TEXT NOT NULL,
  post_count    INTEGER NOT NULL,
  summary_md    TEXT NOT NULL,
  top_status_ids TEXT NOT NULL DEFAULT '[]',  -- JSON array
  created_at    TEXT NOT NULL,
  updated_at    TEXT NOT NULL
);

CREATE TABLE IF NOT EXISTS narrative_shifts (
  shift_id      TEXT PRIMARY KEY,          -- uuid
  topic         TEXT NOT NULL,
  detected_at   TEXT NOT NULL,
  window_id     TEXT,                      -- the window in which it was detected
  magnitude     REAL NOT NULL,             -- 0..1
  description   TEXT NOT NULL,
  status_ids    TEXT NOT NULL DEFAULT '[]',  -- JSON array of evidence posts
  created_at    TEXT NOT NULL,
  updated_at    TEXT NOT NULL
);
`;
