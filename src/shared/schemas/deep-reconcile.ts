// Content reconcile (collector reconcile --deep): the segment and row-hash
// reads the collector bisects with, and the result it stores on the server.
import { z } from "zod";
import { compareKeys } from "../row-hash";
import { DEEP_MAX_BOUNDS, DEEP_MAX_KEYS_PER_CALL, DEEP_NAMED_KEYS } from "../request-limits";
import { collectorName, isoTime, text } from "./primitives";
import { syncTableNames, type SyncTable } from "./tables";

const tableName = z.enum(syncTableNames as [SyncTable, ...SyncTable[]]);
const key = text({ min: 1, max: 256 });

/** Bounds cut the key space into segments: segment i holds keys k with bounds[i-1] <= k < bounds[i] (byte order). */
const bounds = z
  .array(key)
  .max(DEEP_MAX_BOUNDS, `at most ${DEEP_MAX_BOUNDS} bounds per call: ask in several calls`)
  .refine(
    (list) => list.every((b, i) => i === 0 || compareKeys(list[i - 1]!, b) < 0),
    'bounds must be strictly increasing in byte order (collate "C")',
  );

const scope = {
  table: tableName,
  /** Whose rows: the collector being reconciled. */
  collector: collectorName,
  /** Only rows whose source time (the table's since column) is at or after this. */
  since: isoTime.optional(),
  bounds,
  /** The segments wanted (indexes 0..bounds.length). */
  segments: z
    .array(z.number().int().min(0).max(DEEP_MAX_BOUNDS))
    .min(1)
    .max(DEEP_MAX_BOUNDS + 1),
};

export const deepSegmentsInputSchema = z.object(scope);
export type DeepSegmentsInput = z.infer<typeof deepSegmentsInputSchema>;

/** Per wanted segment holding rows: its row count and checksum (sum of row hashes mod 2^52). Segments without rows are left out. */
export type DeepSegment = { segment: number; count: number; checksum: number };

export const deepRowHashesInputSchema = z.object({
  ...scope,
  /** Continue after this key (the last one of the previous page). */
  after: key.optional(),
  limit: z.number().int().min(1).max(DEEP_MAX_KEYS_PER_CALL).default(DEEP_MAX_KEYS_PER_CALL),
});
export type DeepRowHashesInput = z.input<typeof deepRowHashesInputSchema>;

/** A row's key, hash and source updated_at (epoch ms), in key order; `more`: another page follows. */
export type DeepRowHash = { key: string; hash: number; updatedAt: number };
export type DeepRowHashPage = { rows: DeepRowHash[]; more: boolean };

const namedKeys = z.object({
  total: z.number().int().min(0),
  keys: z.array(key).max(DEEP_NAMED_KEYS),
});

export const deepTableResultSchema = z.object({
  local: z.number().int().min(0),
  server: z.number().int().min(0),
  /** Segments whose count and checksum were compared (every level of the bisection). */
  segments: z.number().int().min(0),
  missing: namedKeys,
  extra: namedKeys,
  different: namedKeys,
  /** The server holds a newer version (source updated_at later), pushed by another collector: not a difference. */
  newerOnServer: namedKeys,
});
export type DeepTableResult = z.infer<typeof deepTableResultSchema>;

export const deepResultSchema = z.object({
  passed: z.boolean(),
  /** The check after a repair (`--repair`): its first pass found what the repair pushed. */
  repaired: z.boolean().default(false),
  durationMs: z.number().int().min(0),
  tables: z.partialRecord(tableName, deepTableResultSchema),
});
export type DeepResult = z.infer<typeof deepResultSchema>;
