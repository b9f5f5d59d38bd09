// A legacy collector database for tests and benchmarks: rows written in the
// contract's shape directly (plain SQL, seconds-precision 'Z' times, 0/1
// booleans, JSON-array TEXT, float32 BLOBs), not through the store, because
// that is what operators' machines hold. Deterministic for a given seed.
import { mkdirSync } from "node:fs";
import path from "node:path";
import Database from "better-sqlite3";
import { encodeVector } from "../../src/collector/embedding";
import { SQLITE_SCHEMA } from "../../src/collector/store/schema";
import { seededRandom } from "~/shared/random";

export type LegacyCounts = {
  tweets: number;
  reports: number;
  watchAccounts: number;
  runs: number;
  embeddings: number;
  summaries: number;
  shifts: number;
};

/** The seed report's legacy file: the counts its cutover figures come from. */
export const LEGACY_COUNTS: LegacyCounts = {
  tweets: 707,
  reports: 441,
  watchAccounts: 44,
  runs: 460,
  embeddings: 705,
  summaries: 12,
  shifts: 9,
};

const DEFAULT_BASE = Date.parse("2026-02-20T00:00:00Z");
/** How far apart consecutive rows of each series are (ms); legacyBaseInThePast reads the same figures. */
const SPACING = {
  account: 3_600_000,
  run: 600_000,
  tweet: 37_000,
  report: 900_000,
  window: 6 * 3_600_000,
} as const;
/** An embedding is written this long after its tweet. */
const EMBEDDED_AFTER_MS = 150_000;

/**
 * A first-row time that keeps every generated time in the past: the default
 * one, or earlier for a file so large that its series (a tweet every 37 s, an
 * account every hour, a window every 6 h) would reach beyond `now`, where the
 * server refuses times ahead of its clock.
 */
export function legacyBaseInThePast(counts: LegacyCounts, now = Date.now()): number {
  const span = Math.max(
    counts.watchAccounts * SPACING.account,
    counts.runs * SPACING.run + 3_600_000,
    Math.max(counts.tweets, counts.embeddings) * SPACING.tweet + EMBEDDED_AFTER_MS,
    counts.reports * SPACING.report,
    (Math.max(counts.summaries, counts.shifts) + 1) * SPACING.window,
  );
  const latestStart = now - span - 86_400_000;
  return Math.min(DEFAULT_BASE, Math.floor(latestStart / 3_600_000) * 3_600_000);
}
const secondsIso = (ms: number) => new Date(Math.floor(ms / 1000) * 1000).toISOString().replace(/\.\d{3}Z$/, "Z");
const uuid = (kind: number, i: number) =>
  `${kind.toString(16).padStart(8, "0")}-0000-4000-8000-${i.toString(16).padStart(12, "0")}`;
export const legacyStatusId = (i: number) => String(1_890_000_000_000_000_000n + BigInt(i));
export const legacyRunId = (i: number) => uuid(1, i);

export function buildLegacyDatabase(
  file: string,
  counts: LegacyCounts,
  options: {
    seed?: number;
    dims?: number;
    /** The first row's time (default 2026-02-20); a large file starts earlier so none of it lies in the future. */
    base?: number;
    onProgress?: (table: string, rows: number) => void;
  } = {},
): void {
  const BASE = options.base ?? DEFAULT_BASE;
  mkdirSync(path.dirname(path.resolve(file)), { recursive: true });
  const r = seededRandom(options.seed ?? 1);
  const dims = options.dims ?? 8;
  const db = new Database(file);
  try {
    db.pragma("journal_mode = WAL");
    db.exec(SQLITE_SCHEMA);
    const chunked = (table: string, total: number, insert: (i: number) => void) => {
      for (let start = 0; start < total; start += 10_000) {
        db.transaction(() => {
          for (let i = start; i < Math.min(total, start + 10_000); i++) insert(i);
        })();
        options.onProgress?.(table, Math.min(total, start + 10_000));
      }
    };
    const handles = Array.from({ length: Math.max(1, counts.watchAccounts) }, (_, i) => `legacy_acct_${i}`);

    const account = db.prepare(
      "INSERT INTO watch_accounts (handle, user_id, tier, active, note, added_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
    );
    chunked("watch_accounts", counts.watchAccounts, (i) => {
      const at = BASE + i * SPACING.account;
      account.run(
        handles[i],
        String(10_000 + i),
        i % 3 === 0 ? "discovery" : "priority",
        i % 11 === 0 ? 0 : 1,
        i % 2 ? `note ${i}` : null,
        secondsIso(at),
        secondsIso(at + 60_000),
      );
    });

    const run = db.prepare(
      "INSERT INTO runs (run_id, mode, run_at, finished_at, status, fetched_count, new_count, error, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
    );
    chunked("runs", counts.runs, (i) => {
      const at = BASE + i * SPACING.run;
      const failed = i % 17 === 0;
      run.run(
        legacyRunId(i),
        i % 4 === 0 ? "discovery" : "priority",
        secondsIso(at),
        secondsIso(at + 45_000),
        failed ? "failed" : "success",
        r.int(0, 80),
        r.int(0, 20),
        failed ? "x api answered 503" : null,
        secondsIso(at + 45_000),
      );
    });

    const tweet = db.prepare(
      `INSERT INTO tweets (status_id, author_handle, author_id, body, lang, url, created_at, collected_at, mode, run_id, like_count, repost_count, reply_count,
       quote_count, view_count, is_reply, is_repost, conversation_id, score, raw_json, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    );
    chunked("tweets", counts.tweets, (i) => {
      const id = legacyStatusId(i);
      const handle = handles[i % handles.length]!;
      const created = BASE + i * SPACING.tweet;
      const body = `legacy post ${i}: rates, chips and the grid ${r.int(0, 1_000_000)} ✓`;
      tweet.run(
        id,
        handle,
        String(10_000 + (i % handles.length)),
        body,
        i % 5 ? "en" : null,
        `https://x.com/${handle}/status/${id}`,
        secondsIso(created),
        secondsIso(created + 90_000),
        i % 4 === 0 ? "discovery" : "priority",
        counts.runs ? legacyRunId(i % counts.runs) : null,
        r.int(0, 5000),
        r.int(0, 900),
        r.int(0, 300),
        i % 7 ? r.int(0, 50) : null,
        i % 3 ? r.int(0, 3_000_000_000) : null,
        i % 6 === 0 ? 1 : 0,
        i % 9 === 0 ? 1 : 0,
        i % 6 === 0 ? legacyStatusId(Math.max(0, i - 1)) : null,
        Math.round(r.next() * 1000) / 1000,
        JSON.stringify({ id, text: body }),
        secondsIso(created + 120_000),
      );
    });

    const embedding = db.prepare(
      "INSERT INTO tweet_embeddings (status_id, model, dims, vector, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?)",
    );
    chunked("tweet_embeddings", counts.embeddings, (i) => {
      const at = secondsIso(BASE + i * SPACING.tweet + EMBEDDED_AFTER_MS);
      embedding.run(
        legacyStatusId(i),
        "hashed-ngram-v1",
        dims,
        encodeVector(Array.from({ length: dims }, () => r.next() * 2 - 1)),
        at,
        at,
      );
    });

    const report = db.prepare(
      "INSERT INTO reports (report_id, run_id, kind, title, body_md, status_ids, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
    );
    chunked("reports", counts.reports, (i) => {
      const at = secondsIso(BASE + i * SPACING.report);
      const cited = Array.from({ length: r.int(0, 4) }, () => legacyStatusId(r.int(0, Math.max(0, counts.tweets - 1))));
      report.run(
        uuid(2, i),
        counts.runs ? legacyRunId(i % counts.runs) : null,
        i % 2 ? "priority-digest" : "discovery-digest",
        `Digest ${i}`,
        `## Digest ${i}\n\n- item`,
        JSON.stringify(cited),
        at,
        at,
      );
    });

    const summary = db.prepare(
      "INSERT INTO window_summaries (window_id, mode, window_start, window_end, post_count, summary_md, top_status_ids, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
    );
    chunked("window_summaries", counts.summaries, (i) => {
      const start = BASE + i * SPACING.window;
      const at = secondsIso(start + SPACING.window);
      summary.run(
        `discovery:${secondsIso(start)}/PT6H`,
        "discovery",
        secondsIso(start),
        at,
        r.int(0, 40),
        `summary ${i}`,
        JSON.stringify([legacyStatusId(i)]),
        at,
        at,
      );
    });

    const shift = db.prepare(
      "INSERT INTO narrative_shifts (shift_id, topic, detected_at, window_id, magnitude, description, status_ids, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
    );
    chunked("narrative_shifts", counts.shifts, (i) => {
      const at = secondsIso(BASE + (i + 1) * SPACING.window);
      shift.run(
        uuid(3, i),
        `topic ${i}`,
        at,
        i < counts.summaries ? `discovery:${secondsIso(BASE + i * SPACING.window)}/PT6H` : null,
        Math.round(r.next() * 100) / 100,
        `shift ${i}`,
        JSON.stringify([legacyStatusId(i)]),
        at,
        at,
      );
    });
  } finally {
    db.close();
  }
}

/** What addContractEdgeCases put into a legacy file, for the checks that follow. */
export type ContractEdgeCases = {
  /** Posts by an author whose id is not digits and whose handle has dots and upper case. */
  oddPosts: string[];
  /** A post with NULL in every optional column. */
  nullPost: string;
  /** Watch accounts that carry anomalies: a dotted upper-case handle, and an upper-case twin of a lowercase one. */
  oddAccounts: string[];
  /** The account whose note is 5,000 characters long. */
  longNoteAccount: string;
};

/**
 * Values the contract allows but X would never issue, written into a file
 * made by buildLegacyDatabase (at least 20 tweets, 6 watch accounts, 2 runs,
 * 1 report and 1 narrative shift): non-numeric author and user ids, handles
 * with dots and upper case (and two accounts that differ only in case), a
 * 5,000-character account note, and a row with NULL in every optional
 * column of each table that has any.
 */
export function addContractEdgeCases(file: string): ContractEdgeCases {
  const db = new Database(file);
  try {
    const tweets = db.prepare("SELECT status_id FROM tweets ORDER BY status_id").pluck().all() as string[];
    const oddPosts = tweets.filter((_, i) => i % 10 === 3);
    const nullPost = tweets[7]!;
    db.transaction(() => {
      const odd = db.prepare(
        "UPDATE tweets SET author_handle = ?, author_id = ?, url = NULL, raw_json = ? WHERE status_id = ?",
      );
      oddPosts.forEach((id, i) => odd.run(`Old.Desk.${i}`, `legacy:user-${i}`, JSON.stringify({ id }), id));
      db.prepare(
        `UPDATE tweets SET author_id = NULL, lang = NULL, url = NULL, run_id = NULL, like_count = NULL, repost_count = NULL,
           reply_count = NULL, quote_count = NULL, view_count = NULL, conversation_id = NULL, score = NULL, raw_json = NULL
         WHERE status_id = ?`,
      ).run(nullPost);
      db.prepare(
        "UPDATE watch_accounts SET handle = 'Old.Desk.0', user_id = 'legacy:user-0', note = ? WHERE handle = 'legacy_acct_1'",
      ).run("n".repeat(5000));
      db.prepare(
        `INSERT INTO watch_accounts (handle, user_id, tier, active, note, added_at, updated_at)
         SELECT 'Legacy_Acct_2', user_id, tier, active, 'the upper-case twin', added_at, updated_at FROM watch_accounts WHERE handle = 'legacy_acct_2'`,
      ).run();
      db.prepare("UPDATE watch_accounts SET user_id = NULL, note = NULL WHERE handle = 'legacy_acct_4'").run();
      db.prepare(
        "UPDATE runs SET finished_at = NULL, error = NULL, status = 'running' WHERE run_id = (SELECT max(run_id) FROM runs)",
      ).run();
      db.prepare("UPDATE reports SET run_id = NULL WHERE report_id = (SELECT min(report_id) FROM reports)").run();
      db.prepare(
        "UPDATE narrative_shifts SET window_id = NULL WHERE shift_id = (SELECT min(shift_id) FROM narrative_shifts)",
      ).run();
    })();
    return { oddPosts, nullPost, oddAccounts: ["Old.Desk.0", "Legacy_Acct_2"], longNoteAccount: "Old.Desk.0" };
  } finally {
    db.close();
  }
}
