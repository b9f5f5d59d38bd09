// The rows the collector, the cutover export and the ingest API exchange.
// Field names and meanings are the collector's SQLite contract (snake_case,
// the source's own `updated_at`), so a SQLite row becomes an item with no
// renaming; JSON-array columns travel as arrays, booleans as 0/1 or booleans.
import { z } from "zod";
import { bigCount, count, flag, isoTime, runMode, statusId, text, userId } from "./primitives";

const handle = text({ min: 1, max: 64 }).regex(/^[A-Za-z0-9_]+$/, "must be an X handle without '@'");
const uuidish = text({ min: 1, max: 128 });
const statusIdList = z.array(statusId).max(10_000);

export const postItemSchema = z.object({
  status_id: statusId,
  author_handle: handle,
  author_id: userId.nullish(),
  body: text({ max: 100_000 }),
  lang: text({ max: 16 }).nullish(),
  url: text({ max: 2048 }).nullish(),
  created_at: isoTime,
  collected_at: isoTime,
  mode: runMode,
  run_id: uuidish.nullish(),
  like_count: count.nullish(),
  repost_count: count.nullish(),
  reply_count: count.nullish(),
  quote_count: count.nullish(),
  view_count: bigCount.nullish(),
  is_reply: flag.default(false),
  is_repost: flag.default(false),
  conversation_id: statusId.nullish(),
  score: z.number().min(0).max(1).nullish(),
  raw_json: text({ max: 1_000_000 }).nullish(),
  updated_at: isoTime,
});

export const reportItemSchema = z.object({
  report_id: uuidish,
  run_id: uuidish.nullish(),
  kind: text({ min: 1, max: 64 }),
  title: text({ min: 1, max: 1000 }),
  body_md: text({ max: 1_000_000 }),
  status_ids: statusIdList.default([]),
  created_at: isoTime,
  updated_at: isoTime,
});

export const pipelineRunItemSchema = z.object({
  run_id: uuidish,
  mode: runMode,
  run_at: isoTime,
  finished_at: isoTime.nullish(),
  status: z.enum(["running", "success", "failed"]),
  fetched_count: count.default(0),
  new_count: count.default(0),
  error: text({ max: 10_000 }).nullish(),
  updated_at: isoTime,
});

export const watchAccountItemSchema = z.object({
  handle: handle.transform((h) => h.toLowerCase()),
  user_id: userId.nullish(),
  tier: z.enum(["priority", "discovery"]),
  active: flag.default(true),
  note: text({ max: 10_000 }).nullish(),
  added_at: isoTime,
  updated_at: isoTime,
});

export const embeddingItemSchema = z
  .object({
    status_id: statusId,
    model: text({ min: 1, max: 200 }),
    dims: z.number().int().min(1).max(8192),
    vector: z.array(z.number().refine(Number.isFinite, "must be a finite number")).max(8192),
    created_at: isoTime,
    updated_at: isoTime,
  })
  .refine((e) => e.vector.length === e.dims, { message: "vector length must equal dims", path: ["vector"] });

export const windowSummaryItemSchema = z.object({
  window_id: text({ min: 1, max: 256 }),
  mode: runMode,
  window_start: isoTime,
  window_end: isoTime,
  post_count: count,
  summary_md: text({ max: 1_000_000 }),
  top_status_ids: statusIdList.default([]),
  created_at: isoTime,
  updated_at: isoTime,
});

export const narrativeShiftItemSchema = z.object({
  shift_id: uuidish,
  topic: text({ min: 1, max: 500 }),
  detected_at: isoTime,
  window_id: text({ max: 256 }).nullish(),
  magnitude: z.number().min(0).max(1),
  description: text({ max: 100_000 }),
  status_ids: statusIdList.default([]),
  created_at: isoTime,
  updated_at: isoTime,
});

export type PostItem = z.input<typeof postItemSchema>;
export type ReportItem = z.input<typeof reportItemSchema>;
export type PipelineRunItem = z.input<typeof pipelineRunItemSchema>;
export type WatchAccountItem = z.input<typeof watchAccountItemSchema>;
export type EmbeddingItem = z.input<typeof embeddingItemSchema>;
export type WindowSummaryItem = z.input<typeof windowSummaryItemSchema>;
export type NarrativeShiftItem = z.input<typeof narrativeShiftItemSchema>;
