// SQLite rows → ingest items (src/shared/schemas/items.ts). The names are
// already the contract's, so only the encodings change: JSON-array TEXT
// becomes an array, 0/1 becomes a boolean, the float32 BLOB becomes number[].
// A legacy value that cannot be decoded is passed through unchanged, so the
// server rejects that one item with a clear reason instead of the whole batch.
import type {
  EmbeddingItem,
  NarrativeShiftItem,
  PipelineRunItem,
  PostItem,
  ReportItem,
  WatchAccountItem,
  WindowSummaryItem,
} from "~/shared/schemas/items";
import type { SyncTable } from "~/shared/schemas/tables";
import { decodeVector } from "../embedding";

export type ItemOf = {
  posts: PostItem;
  reports: ReportItem;
  pipelineRuns: PipelineRunItem;
  watchAccounts: WatchAccountItem;
  embeddings: EmbeddingItem;
  windowSummaries: WindowSummaryItem;
  narrativeShifts: NarrativeShiftItem;
};

type Row = Record<string, unknown>;

function jsonArray(value: unknown): unknown {
  if (typeof value !== "string") return value;
  try {
    const parsed: unknown = JSON.parse(value);
    return Array.isArray(parsed) ? parsed : value;
  } catch {
    return value;
  }
}

function bool(value: unknown): unknown {
  return value === 0 || value === 1 ? value === 1 : value;
}

function vector(value: unknown): unknown {
  if (!(value instanceof Uint8Array) || value.byteLength % 4 !== 0) return value;
  return decodeVector(value);
}

const converters: { [T in SyncTable]: (row: Row) => ItemOf[T] } = {
  posts: (row) => ({ ...row, is_reply: bool(row.is_reply), is_repost: bool(row.is_repost) }) as PostItem,
  reports: (row) => ({ ...row, status_ids: jsonArray(row.status_ids) }) as ReportItem,
  pipelineRuns: (row) => row as PipelineRunItem,
  watchAccounts: (row) => ({ ...row, active: bool(row.active) }) as WatchAccountItem,
  embeddings: (row) => ({ ...row, vector: vector(row.vector) }) as EmbeddingItem,
  windowSummaries: (row) => ({ ...row, top_status_ids: jsonArray(row.top_status_ids) }) as WindowSummaryItem,
  narrativeShifts: (row) => ({ ...row, status_ids: jsonArray(row.status_ids) }) as NarrativeShiftItem,
};

export function rowToItem<T extends SyncTable>(table: T, row: Row): ItemOf[T] {
  return converters[table](row);
}
