// The collector's local database (the SQLite contract in ./schema.ts). Every
// write stamps `updated_at` only when a row really changed, because the
// server mirrors rows by "updated_at >= since": a rewrite of identical data
// would otherwise be shipped again on every run.
import { randomUUID } from "node:crypto";
import { mkdirSync } from "node:fs";
import path from "node:path";
import Database from "better-sqlite3";
import { syncTables, type SyncTable } from "~/shared/schemas/tables";
import { encodeVector } from "../embedding";
import { systemClock, toIsoMs, type Clock } from "../util/time";
import { rowToItem, type ItemOf } from "./items";
import { SQLITE_SCHEMA } from "./schema";
import { normaliseHandle, type WatchAccountsApi, createWatchAccounts } from "./watch-accounts";

export type RunStatus = "running" | "success" | "failed";

export type RunRow = {
  run_id: string;
  mode: string;
  run_at: string;
  finished_at: string | null;
  status: RunStatus;
  fetched_count: number;
  new_count: number;
  error: string | null;
  updated_at: string;
};

/** A post to store; `collected_at` defaults to now, `updated_at` is the store's. */
export type TweetInput = {
  status_id: string;
  author_handle: string;
  author_id?: string | null;
  body: string;
  lang?: string | null;
  url?: string | null;
  created_at: string;
  collected_at?: string;
  mode: string;
  run_id?: string | null;
  like_count?: number | null;
  repost_count?: number | null;
  reply_count?: number | null;
  quote_count?: number | null;
  view_count?: number | null;
  is_reply?: boolean;
  is_repost?: boolean;
  conversation_id?: string | null;
  score?: number | null;
  raw_json?: string | null;
};

export type StoredTweet = Required<Omit<TweetInput, "is_reply" | "is_repost">> & {
  is_reply: boolean;
  is_repost: boolean;
  updated_at: string;
};

export type EmbeddingInput = { status_id: string; model: string; vector: ArrayLike<number> };

export type WindowSummaryInput = {
  window_id: string;
  mode: string;
  window_start: string;
  window_end: string;
  post_count: number;
  summary_md: string;
  top_status_ids: string[];
};

export type NarrativeShiftInput = {
  shift_id: string;
  topic: string;
  detected_at: string;
  window_id: string | null;
  magnitude: number;
  description: string;
  status_ids: string[];
};

export type ReportInput = {
  report_id: string;
  run_id: string | null;
  kind: string;
  title: string;
  body_md: string;
  status_ids: string[];
};

/** Which rows an upsert created and which it changed; the rest were identical. */
export type UpsertResult = { inserted: string[]; updated: string[]; unchanged: number };

type Column = { name: string; keepOldWhenNull?: boolean; sameInstant?: boolean };

/**
 * INSERT … ON CONFLICT DO UPDATE that touches the row (and its updated_at)
 * only when one of `columns` differs. Columns not listed (created_at,
 * collected_at, …) keep the value of the first write.
 */
function upsertSql(table: string, key: string, insertColumns: string[], columns: Column[]): string {
  const set = columns.map((c) =>
    c.keepOldWhenNull
      ? `${c.name} = coalesce(excluded.${c.name}, ${table}.${c.name})`
      : `${c.name} = excluded.${c.name}`,
  );
  const differs = columns.map((c) => {
    // Legacy rows may write the same instant without milliseconds.
    const old = c.sameInstant ? `julianday(${table}.${c.name})` : `${table}.${c.name}`;
    const neu = c.sameInstant ? `julianday(excluded.${c.name})` : `excluded.${c.name}`;
    return c.keepOldWhenNull ? `(excluded.${c.name} IS NOT NULL AND ${old} IS NOT ${neu})` : `${old} IS NOT ${neu}`;
  });
  return `INSERT INTO ${table} (${insertColumns.join(", ")}) VALUES (${insertColumns.map((c) => `@${c}`).join(", ")})
    ON CONFLICT(${key}) DO UPDATE SET ${set.join(", ")}, updated_at = excluded.updated_at
    WHERE ${differs.join(" OR ")}`;
}

const TWEET_COLUMNS: Column[] = [
  { name: "author_handle" },
  { name: "author_id", keepOldWhenNull: true },
  { name: "body" },
  { name: "lang", keepOldWhenNull: true },
  { name: "url", keepOldWhenNull: true },
  { name: "created_at", sameInstant: true },
  ...["like_count", "repost_count", "reply_count", "quote_count", "view_count"].map((name) => ({
    name,
    keepOldWhenNull: true,
  })),
  { name: "is_reply" },
  { name: "is_repost" },
  { name: "conversation_id", keepOldWhenNull: true },
  { name: "score", keepOldWhenNull: true },
  { name: "raw_json", keepOldWhenNull: true },
];
const TWEET_INSERT = [...TWEET_COLUMNS.map((c) => c.name), "status_id", "collected_at", "mode", "run_id", "updated_at"];

/** Timestamps of every row we write compare as text; `since` is compared by instant. */
const sinceClause = (column: string) => `julianday(${column}) >= julianday(@since)`;

/** Where a page of changed rows ended: its last row's julianday(updated_at) and key. */
export type ChangedCursor = { day: number; key: string };

export class SqliteStore {
  readonly db: Database.Database;
  readonly watchAccounts: WatchAccountsApi;
  private readonly clock: Clock;

  constructor(options: { path: string; clock?: Clock; busyTimeoutMs?: number }) {
    if (options.path !== ":memory:") mkdirSync(path.dirname(path.resolve(options.path)), { recursive: true });
    this.db = new Database(options.path);
    this.clock = options.clock ?? systemClock;
    this.db.pragma("journal_mode = WAL");
    // The scheduler's jobs, a manual CLI run and the cutover export may open
    // the file at once: wait for a writer instead of failing with SQLITE_BUSY.
    this.db.pragma(`busy_timeout = ${options.busyTimeoutMs ?? 10_000}`);
    this.db.pragma("synchronous = NORMAL");
    this.db.exec(SQLITE_SCHEMA);
    this.watchAccounts = createWatchAccounts(this.db, () => this.now());
  }

  close(): void {
    this.db.close();
  }

  now(): string {
    return toIsoMs(this.clock());
  }

  /** Runs `fn` in one transaction (nested calls become savepoints). `fn` must be synchronous. */
  transaction<T>(fn: () => T): T {
    return this.db.transaction(() => {
      const result = fn();
      if (result && typeof (result as { then?: unknown }).then === "function") {
        // Throwing here rolls back; an awaited body would commit half-way.
        throw new TypeError("store.transaction() needs a synchronous function: fetch first, then write");
      }
      return result;
    })();
  }

  recordRunStart(mode: string, options: { runId?: string } = {}): RunRow {
    const now = this.now();
    const row: RunRow = {
      run_id: options.runId ?? randomUUID(),
      mode,
      run_at: now,
      finished_at: null,
      status: "running",
      fetched_count: 0,
      new_count: 0,
      error: null,
      updated_at: now,
    };
    this.db
      .prepare(
        `INSERT INTO runs (run_id, mode, run_at, finished_at, status, fetched_count, new_count, error, updated_at)
         VALUES (@run_id, @mode, @run_at, @finished_at, @status, @fetched_count, @new_count, @error, @updated_at)`,
      )
      .run(row);
    return row;
  }

  finishRun(options: {
    runId: string;
    status: "success" | "failed";
    fetchedCount?: number;
    newCount?: number;
    error?: string | null;
  }): RunRow {
    const now = this.now();
    const result = this.db
      .prepare(
        `UPDATE runs SET status = @status, finished_at = @now, updated_at = @now, error = @error,
           fetched_count = coalesce(@fetched, fetched_count), new_count = coalesce(@new, new_count)
         WHERE run_id = @runId`,
      )
      .run({
        runId: options.runId,
        status: options.status,
        now,
        error: options.error ?? null,
        fetched: options.fetchedCount ?? null,
        new: options.newCount ?? null,
      });
    if (result.changes === 0) throw new Error(`no run ${options.runId} in the local database`);
    return this.getRun(options.runId)!;
  }

  getRun(runId: string): RunRow | undefined {
    return this.db.prepare("SELECT * FROM runs WHERE run_id = ?").get(runId) as RunRow | undefined;
  }

  /**
   * Runs still 'running' were left by a process that ended mid-run. Call at
   * start-up, before this process starts runs of its own, and only when no
   * other collector process holds a run lock (scheduler/run-lock.ts).
   */
  markStaleRunsFailed(options: { startedBefore?: string } = {}): string[] {
    const now = this.now();
    return this.transaction(() => {
      const ids = (
        this.db
          .prepare(
            `SELECT run_id FROM runs WHERE status = 'running' AND (@before IS NULL OR julianday(run_at) < julianday(@before)) ORDER BY run_at`,
          )
          .all({ before: options.startedBefore ?? null }) as { run_id: string }[]
      ).map((r) => r.run_id);
      const update = this.db.prepare(
        `UPDATE runs SET status = 'failed', error = 'collector process ended mid-run', finished_at = @now, updated_at = @now WHERE run_id = @id`,
      );
      for (const id of ids) update.run({ id, now });
      return ids;
    });
  }

  upsertTweets(rows: readonly TweetInput[]): UpsertResult {
    const now = this.now();
    const exists = this.db.prepare("SELECT 1 FROM tweets WHERE status_id = ?").pluck();
    const upsert = this.db.prepare(upsertSql("tweets", "status_id", TWEET_INSERT, TWEET_COLUMNS));
    return this.transaction(() =>
      this.applyUpserts(
        rows,
        (row) => row.status_id,
        exists,
        (row) =>
          upsert.run({
            status_id: row.status_id,
            author_handle: normaliseHandle(row.author_handle),
            author_id: row.author_id ?? null,
            body: row.body,
            lang: row.lang ?? null,
            url: row.url ?? null,
            created_at: toIsoMs(row.created_at),
            collected_at: toIsoMs(row.collected_at ?? now),
            mode: row.mode,
            run_id: row.run_id ?? null,
            like_count: row.like_count ?? null,
            repost_count: row.repost_count ?? null,
            reply_count: row.reply_count ?? null,
            quote_count: row.quote_count ?? null,
            view_count: row.view_count ?? null,
            is_reply: row.is_reply ? 1 : 0,
            is_repost: row.is_repost ? 1 : 0,
            conversation_id: row.conversation_id ?? null,
            score: row.score ?? null,
            raw_json: row.raw_json ?? null,
            updated_at: now,
          }).changes,
      ),
    );
  }

  upsertEmbeddings(rows: readonly EmbeddingInput[]): UpsertResult {
    const now = this.now();
    const exists = this.db.prepare("SELECT 1 FROM tweet_embeddings WHERE status_id = ?").pluck();
    const upsert = this.db.prepare(
      upsertSql(
        "tweet_embeddings",
        "status_id",
        ["status_id", "model", "dims", "vector", "created_at", "updated_at"],
        [{ name: "model" }, { name: "dims" }, { name: "vector" }],
      ),
    );
    return this.transaction(() =>
      this.applyUpserts(
        rows,
        (row) => row.status_id,
        exists,
        (row) => {
          if (row.vector.length === 0) throw new RangeError(`empty embedding for ${row.status_id}`);
          return upsert.run({
            status_id: row.status_id,
            model: row.model,
            dims: row.vector.length,
            vector: encodeVector(row.vector),
            created_at: now,
            updated_at: now,
          }).changes;
        },
      ),
    );
  }

  upsertWindowSummaries(rows: readonly WindowSummaryInput[]): UpsertResult {
    const now = this.now();
    const exists = this.db.prepare("SELECT 1 FROM window_summaries WHERE window_id = ?").pluck();
    const columns: Column[] = [
      { name: "mode" },
      { name: "window_start", sameInstant: true },
      { name: "window_end", sameInstant: true },
      { name: "post_count" },
      { name: "summary_md" },
      { name: "top_status_ids" },
    ];
    const upsert = this.db.prepare(
      upsertSql(
        "window_summaries",
        "window_id",
        ["window_id", ...columns.map((c) => c.name), "created_at", "updated_at"],
        columns,
      ),
    );
    return this.transaction(() =>
      this.applyUpserts(
        rows,
        (row) => row.window_id,
        exists,
        (row) =>
          upsert.run({
            ...row,
            window_start: toIsoMs(row.window_start),
            window_end: toIsoMs(row.window_end),
            top_status_ids: JSON.stringify(row.top_status_ids),
            created_at: now,
            updated_at: now,
          }).changes,
      ),
    );
  }

  /** Shift ids are content-derived (windows.ts), so a re-detected shift updates its row. */
  insertNarrativeShifts(rows: readonly NarrativeShiftInput[]): UpsertResult {
    const now = this.now();
    const exists = this.db.prepare("SELECT 1 FROM narrative_shifts WHERE shift_id = ?").pluck();
    const columns: Column[] = [
      { name: "topic" },
      { name: "window_id" },
      { name: "magnitude" },
      { name: "description" },
      { name: "status_ids" },
    ];
    const upsert = this.db.prepare(
      upsertSql(
        "narrative_shifts",
        "shift_id",
        ["shift_id", "detected_at", ...columns.map((c) => c.name), "created_at", "updated_at"],
        columns,
      ),
    );
    return this.transaction(() =>
      this.applyUpserts(
        rows,
        (row) => row.shift_id,
        exists,
        (row) => {
          if (!(row.magnitude >= 0 && row.magnitude <= 1))
            throw new RangeError(`shift magnitude must be within 0..1, got ${row.magnitude}`);
          return upsert.run({
            ...row,
            detected_at: toIsoMs(row.detected_at),
            status_ids: JSON.stringify(row.status_ids),
            created_at: now,
            updated_at: now,
          }).changes;
        },
      ),
    );
  }

  insertReport(row: ReportInput): UpsertResult {
    const now = this.now();
    const exists = this.db.prepare("SELECT 1 FROM reports WHERE report_id = ?").pluck();
    const columns: Column[] = [
      { name: "run_id" },
      { name: "kind" },
      { name: "title" },
      { name: "body_md" },
      { name: "status_ids" },
    ];
    const upsert = this.db.prepare(
      upsertSql(
        "reports",
        "report_id",
        ["report_id", ...columns.map((c) => c.name), "created_at", "updated_at"],
        columns,
      ),
    );
    return this.transaction(() =>
      this.applyUpserts(
        [row],
        (r) => r.report_id,
        exists,
        (r) => upsert.run({ ...r, status_ids: JSON.stringify(r.status_ids), created_at: now, updated_at: now }).changes,
      ),
    );
  }

  /**
   * Streams the rows of one mirrored table changed at or after `sinceIso`
   * (all rows when undefined), as ingest items, oldest change first. The
   * connection is busy until the iterator is finished or returned: collect
   * a batch, then write.
   */
  *readChangedSince<T extends SyncTable>(table: T, sinceIso?: string): Generator<ItemOf[T]> {
    for (
      let page = this.readChangedPage(table, sinceIso, null, 1000);
      page.items.length > 0;
      page = this.readChangedPage(table, sinceIso, page.next, 1000)
    ) {
      yield* page.items;
    }
  }

  /**
   * One page of rows changed since a time, in (updated_at, key) order, read
   * completely: no statement stays open while the caller awaits (a push in
   * flight), so other writers of this connection are never blocked by it and
   * a failed push cannot leave it busy. `next` continues after the page.
   */
  readChangedPage<T extends SyncTable>(
    table: T,
    sinceIso: string | undefined,
    after: ChangedCursor | null,
    limit: number,
  ): { items: ItemOf[T][]; next: ChangedCursor | null } {
    const { sqlite, key } = syncTables[table];
    const conditions = [
      ...(sinceIso === undefined ? [] : [sinceClause("updated_at")]),
      ...(after
        ? [`(julianday(updated_at) > @afterDay OR (julianday(updated_at) = @afterDay AND ${key} > @afterKey))`]
        : []),
    ];
    const rows = this.db
      .prepare(
        `SELECT *, julianday(updated_at) AS _changed_day FROM ${sqlite} ${conditions.length ? `WHERE ${conditions.join(" AND ")}` : ""} ORDER BY julianday(updated_at), ${key} LIMIT @limit`,
      )
      .all({
        limit,
        ...(sinceIso === undefined ? {} : { since: toIsoMs(sinceIso) }),
        ...(after ? { afterDay: after.day, afterKey: after.key } : {}),
      }) as Record<string, unknown>[];
    const last = rows.at(-1);
    return {
      items: rows.map(({ _changed_day: _, ...row }) => rowToItem(table, row)),
      next: last ? { day: last._changed_day as number, key: last[key] as string } : null,
    };
  }

  /** Rows whose source time (syncTables[table].sinceColumn) is at or after `sinceIso`; the server counts by the same rule. */
  countSince(table: SyncTable, sinceIso: string | undefined): number {
    const { sqlite, sinceColumn } = syncTables[table];
    if (sinceIso === undefined) return this.db.prepare(`SELECT count(*) FROM ${sqlite}`).pluck().get() as number;
    return this.db
      .prepare(`SELECT count(*) FROM ${sqlite} WHERE ${sinceClause(sinceColumn)}`)
      .pluck()
      .get({ since: toIsoMs(sinceIso) }) as number;
  }

  /** Posts published in [from, to), for window summaries; optionally only those a mode found. */
  listTweetsPublishedBetween(options: { from: string; to: string; mode?: string }): StoredTweet[] {
    const rows = this.db
      .prepare(
        `SELECT * FROM tweets WHERE julianday(created_at) >= julianday(@from) AND julianday(created_at) < julianday(@to)
         AND (@mode IS NULL OR mode = @mode) ORDER BY julianday(created_at), status_id`,
      )
      .all({ from: toIsoMs(options.from), to: toIsoMs(options.to), mode: options.mode ?? null }) as Record<
      string,
      unknown
    >[];
    return rows.map((row) => ({ ...row, is_reply: row.is_reply === 1, is_repost: row.is_repost === 1 }) as StoredTweet);
  }

  /** Stored vectors by status id, only those of `model` (vectors of different models do not compare). */
  getEmbeddings(options: { statusIds: readonly string[]; model: string }): Map<string, number[]> {
    const out = new Map<string, number[]>();
    const stmt = this.db.prepare("SELECT * FROM tweet_embeddings WHERE status_id = ? AND model = ?");
    for (const id of options.statusIds) {
      const row = stmt.get(id, options.model) as Record<string, unknown> | undefined;
      if (row) out.set(id, rowToItem("embeddings", row).vector);
    }
    return out;
  }

  /** The numerically largest stored status id (X's since_id), by author and/or mode. */
  newestStatusId(options: { authorHandle?: string; mode?: string } = {}): string | undefined {
    return this.db
      .prepare(
        // Ids are decimal text of varying length: longer is larger.
        `SELECT status_id FROM tweets WHERE (@author IS NULL OR author_handle = @author) AND (@mode IS NULL OR mode = @mode)
         ORDER BY length(status_id) DESC, status_id DESC LIMIT 1`,
      )
      .pluck()
      .get({
        author: options.authorHandle === undefined ? null : normaliseHandle(options.authorHandle),
        mode: options.mode ?? null,
      }) as string | undefined;
  }

  private applyUpserts<R>(
    rows: readonly R[],
    keyOf: (row: R) => string,
    exists: Database.Statement,
    write: (row: R) => number,
  ): UpsertResult {
    const result: UpsertResult = { inserted: [], updated: [], unchanged: 0 };
    for (const row of rows) {
      const key = keyOf(row);
      const existed = exists.get(key) !== undefined;
      const changes = write(row);
      if (!existed) result.inserted.push(key);
      else if (changes > 0) result.updated.push(key);
      else result.unchanged++;
    }
    return result;
  }
}

export function openStore(options: { path: string; clock?: Clock; busyTimeoutMs?: number }): SqliteStore {
  return new SqliteStore(options);
}
