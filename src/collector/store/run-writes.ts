// What a run writes besides its own row: posts, embeddings, window
// summaries, narrative shifts and its report, each in the shape the run's
// steps produce, with the store's own stamps (created_at, updated_at,
// collected_at) added here.
import type { RowInput, StoredRow } from "./items";
import { upsertItems, type UpsertResult } from "./local-upsert";
import type { StoreContext } from "./sqlite-store";
import { normaliseHandle } from "./watch-accounts";

type Stamped = "created_at" | "updated_at";

/** A post to store; `collected_at` defaults to now, `updated_at` is the store's. */
export type TweetInput = Omit<RowInput<"posts">, "collected_at" | "updated_at"> & { collected_at?: string };
export type StoredTweet = StoredRow<"posts">;
export type EmbeddingInput = { status_id: string; model: string; vector: ArrayLike<number> };
export type WindowSummaryInput = Omit<StoredRow<"windowSummaries">, Stamped>;
export type NarrativeShiftInput = Omit<StoredRow<"narrativeShifts">, Stamped>;
export type ReportInput = Omit<StoredRow<"reports">, Stamped>;

export function upsertTweets(store: StoreContext, rows: readonly TweetInput[]): UpsertResult {
  const now = store.now();
  return upsertItems(
    store,
    "posts",
    rows.map((row) => ({
      ...row,
      author_handle: normaliseHandle(row.author_handle),
      collected_at: row.collected_at ?? now,
      updated_at: now,
    })),
  );
}

/** Rows the store creates: created_at is the first write's (keepFirst), updated_at every real change's. */
function upsertStamped<R extends object>(
  store: StoreContext,
  table: "embeddings" | "windowSummaries" | "narrativeShifts" | "reports",
  rows: readonly R[],
  toItem: (row: R) => object = (row) => row,
): UpsertResult {
  const now = store.now();
  return upsertItems(
    store,
    table,
    rows.map((row) => ({ ...toItem(row), created_at: now, updated_at: now })),
  );
}

export function upsertEmbeddings(store: StoreContext, rows: readonly EmbeddingInput[]): UpsertResult {
  return upsertStamped(store, "embeddings", rows, (row) => {
    if (row.vector.length === 0) throw new RangeError(`empty embedding for ${row.status_id}`);
    return { ...row, dims: row.vector.length };
  });
}

export function upsertWindowSummaries(store: StoreContext, rows: readonly WindowSummaryInput[]): UpsertResult {
  return upsertStamped(store, "windowSummaries", rows);
}

/** Shift ids are content-derived (windows.ts), so a re-detected shift updates its row. */
export function insertNarrativeShifts(store: StoreContext, rows: readonly NarrativeShiftInput[]): UpsertResult {
  return upsertStamped(store, "narrativeShifts", rows, (row) => {
    if (!(row.magnitude >= 0 && row.magnitude <= 1))
      throw new RangeError(`shift magnitude must be within 0..1, got ${row.magnitude}`);
    return row;
  });
}

export function insertReport(store: StoreContext, row: ReportInput): UpsertResult {
  return upsertStamped(store, "reports", [row]);
}
