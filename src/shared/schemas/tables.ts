// The seven mirrored tables under their three names: the batch field in an
// ingest call, the collector's SQLite table, and the server's table.
import type { z } from "zod";
import {
  embeddingItemSchema,
  narrativeShiftItemSchema,
  pipelineRunItemSchema,
  postItemSchema,
  reportItemSchema,
  watchAccountItemSchema,
  windowSummaryItemSchema,
} from "./items";

export const syncTables = {
  posts: { sqlite: "tweets", server: "posts", key: "status_id", sinceColumn: "collected_at", schema: postItemSchema },
  reports: {
    sqlite: "reports",
    server: "reports",
    key: "report_id",
    sinceColumn: "created_at",
    schema: reportItemSchema,
  },
  pipelineRuns: {
    sqlite: "runs",
    server: "pipeline_runs",
    key: "run_id",
    sinceColumn: "run_at",
    schema: pipelineRunItemSchema,
  },
  watchAccounts: {
    sqlite: "watch_accounts",
    server: "watch_accounts",
    key: "handle",
    sinceColumn: "added_at",
    schema: watchAccountItemSchema,
  },
  embeddings: {
    sqlite: "tweet_embeddings",
    server: "embeddings",
    key: "status_id",
    sinceColumn: "created_at",
    schema: embeddingItemSchema,
  },
  windowSummaries: {
    sqlite: "window_summaries",
    server: "window_summaries",
    key: "window_id",
    sinceColumn: "created_at",
    schema: windowSummaryItemSchema,
  },
  narrativeShifts: {
    sqlite: "narrative_shifts",
    server: "narrative_shifts",
    key: "shift_id",
    sinceColumn: "created_at",
    schema: narrativeShiftItemSchema,
  },
} as const satisfies Record<
  string,
  { sqlite: string; server: string; key: string; sinceColumn: string; schema: z.ZodType }
>;

export type SyncTable = keyof typeof syncTables;
export const syncTableNames = Object.keys(syncTables) as SyncTable[];
