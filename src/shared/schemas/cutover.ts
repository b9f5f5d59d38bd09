// The cutover tool's reports to the server (one record per cutover, one
// entry per step and pass).
import { z } from "zod";
import { collectorName, isoTime, naturalKey, text } from "./primitives";
import { syncTableNames, type SyncTable } from "./tables";

export const cutoverStepNames = ["freeze", "snapshot", "export", "import", "validate", "restore"] as const;

export const cutoverStartSchema = z.object({
  label: text({ min: 1, max: 200 }),
  collector: collectorName,
  operator: text({ min: 1, max: 100 }),
  startedAt: isoTime,
});
export type CutoverStart = z.infer<typeof cutoverStartSchema>;

export const cutoverStepSchema = z.object({
  step: z.enum(cutoverStepNames),
  /** Import passes are numbered (1: ingest key, 2: admin key, ...). */
  pass: z.number().int().min(1).optional(),
  status: z.enum(["running", "succeeded", "failed", "skipped"]),
  startedAt: isoTime,
  finishedAt: isoTime.optional(),
  message: text({ max: 10_000 }).optional(),
  /** Figures the step measured: counts per table, deltas, checksums, integrity result... */
  figures: z.record(z.string(), z.unknown()).default({}),
});
export type CutoverStep = z.infer<typeof cutoverStepSchema>;

export const cutoverStepRecordSchema = z.object({
  cutoverId: z.uuid(),
  step: cutoverStepSchema,
  status: z.enum(["running", "succeeded", "failed"]).optional(),
  artifacts: z.record(z.string(), z.unknown()).optional(),
});
export type CutoverStepRecord = z.infer<typeof cutoverStepRecordSchema>;

/** Keys per cutover.rowsByKeys call; the collector's client splits longer lists into calls of this size. */
export const ROWS_BY_KEYS_MAX_KEYS = 1000;

export const rowsByKeysSchema = z.object({
  table: z.enum(syncTableNames as [SyncTable, ...SyncTable[]]),
  keys: z.array(naturalKey).min(1).max(ROWS_BY_KEYS_MAX_KEYS),
});
export type RowsByKeys = z.infer<typeof rowsByKeysSchema>;

/** Keys per cutover.keysPage call: validate walks a table's keys in pages when its count differs. */
export const KEYS_PAGE_MAX = 5000;

export const keysPageSchema = z.object({
  table: z.enum(syncTableNames as [SyncTable, ...SyncTable[]]),
  /** The last key of the previous page (keys come in the server's key order). */
  after: text({ min: 1, max: 256 }).optional(),
  limit: z.number().int().min(1).max(KEYS_PAGE_MAX).default(KEYS_PAGE_MAX),
});
export type KeysPage = z.infer<typeof keysPageSchema>;
