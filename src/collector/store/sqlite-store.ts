// The collector's local database (the SQLite contract in ./schema.ts): one
// connection with its pragmas and transactions, and the store's operations,
// each kept in the module of its responsibility (runs, run writes, changed
// rows, post reads, watch accounts).
import { mkdirSync } from "node:fs";
import path from "node:path";
import Database from "better-sqlite3";
import type { SyncTable } from "~/shared/schemas/tables";
import { systemClock, toIsoMs, type Clock } from "../util/time";
import { countSince, readChangedPage, type ChangedCursor } from "./changed-rows";
import type { ItemOf } from "./items";
import type { UpsertResult } from "./local-upsert";
import { getEmbeddings, listTweetsPublishedBetween, newestStatusId } from "./post-reads";
import { finishRun, getRun, markStaleRunsFailed, recordRunStart, type RunRow } from "./runs";
import * as writes from "./run-writes";
import { SQLITE_SCHEMA } from "./schema";
import { createWatchAccounts, type WatchAccountsApi } from "./watch-accounts";

export type { ChangedCursor } from "./changed-rows";
export type { UpsertResult } from "./local-upsert";
export type { RunRow, RunStatus } from "./runs";
export type {
  EmbeddingInput,
  NarrativeShiftInput,
  ReportInput,
  StoredTweet,
  TweetInput,
  WindowSummaryInput,
} from "./run-writes";

/** What the store's operation modules need of it. */
export type StoreContext = Pick<SqliteStore, "db" | "now" | "transaction">;

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
    return recordRunStart(this, mode, options);
  }

  finishRun(options: Parameters<typeof finishRun>[1]): RunRow {
    return finishRun(this, options);
  }

  getRun(runId: string): RunRow | undefined {
    return getRun(this, runId);
  }

  /** See runs.ts: only at start-up, and only when no other process holds a run lock. */
  markStaleRunsFailed(options: { startedBefore?: string } = {}): string[] {
    return markStaleRunsFailed(this, options);
  }

  upsertTweets(rows: readonly writes.TweetInput[]): UpsertResult {
    return writes.upsertTweets(this, rows);
  }

  upsertEmbeddings(rows: readonly writes.EmbeddingInput[]): UpsertResult {
    return writes.upsertEmbeddings(this, rows);
  }

  upsertWindowSummaries(rows: readonly writes.WindowSummaryInput[]): UpsertResult {
    return writes.upsertWindowSummaries(this, rows);
  }

  insertNarrativeShifts(rows: readonly writes.NarrativeShiftInput[]): UpsertResult {
    return writes.insertNarrativeShifts(this, rows);
  }

  insertReport(row: writes.ReportInput): UpsertResult {
    return writes.insertReport(this, row);
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

  /** See changed-rows.ts: one page, read completely, with where the next one starts. */
  readChangedPage<T extends SyncTable>(
    table: T,
    sinceIso: string | undefined,
    after: ChangedCursor | null,
    limit: number,
  ): { items: ItemOf[T][]; next: ChangedCursor | null } {
    return readChangedPage(this, table, sinceIso, after, limit);
  }

  /** Rows whose source time is at or after `sinceIso`; the server counts by the same rule. */
  countSince(table: SyncTable, sinceIso: string | undefined): number {
    return countSince(this, table, sinceIso);
  }

  listTweetsPublishedBetween(options: { from: string; to: string; mode?: string }): writes.StoredTweet[] {
    return listTweetsPublishedBetween(this, options);
  }

  getEmbeddings(options: { statusIds: readonly string[]; model: string }): Map<string, number[]> {
    return getEmbeddings(this, options);
  }

  newestStatusId(options: { authorHandle?: string; mode?: string } = {}): string | undefined {
    return newestStatusId(this, options);
  }
}

export function openStore(options: { path: string; clock?: Clock; busyTimeoutMs?: number }): SqliteStore {
  return new SqliteStore(options);
}
