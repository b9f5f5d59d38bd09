// The figures the cutover steps record, in the shape the collector writes
// them: the collector builds them with these types, the console reads them
// with these schemas, and the demo seed builds them with the same types, so
// the page is built against what the tool really records. Tables are keyed
// as each step knows them: export and validate counts by SQLite name, import
// by server name, the spot check by catalog name (the console resolves all
// three through the catalog).
import { z } from "zod";

const count = z.number().int();

export const exportFiguresSchema = z.object({
  dir: z.string(),
  snapshot: z.string(),
  tables: z.record(z.string(), z.object({ rows: count, bytes: count, sha256: z.string() })),
});
export type ExportFigures = z.infer<typeof exportFiguresSchema>;

export const importTableFiguresSchema = z.object({
  inserted: count,
  updated: count,
  unchanged: count,
  rejected: count,
  /** Rows stored with anomalies (values X would not issue); absent in older records. */
  anomalies: count.optional(),
  rows: count.optional(),
});

/** Server table → reason → rows (a bounded number of reasons per table). */
export const rejectReasonsSchema = z.record(z.string(), z.record(z.string(), count));
export type RejectReasonsFigure = z.infer<typeof rejectReasonsSchema>;

export const importFiguresSchema = z.object({
  pass: count.nullable(),
  dryRun: z.boolean(),
  role: z.string(),
  keyPrefix: z.string(),
  resumed: z.boolean(),
  tables: z.record(z.string(), importTableFiguresSchema),
  rejected: count,
  /** Rows stored with anomalies, all tables; absent in older records. */
  anomalies: count.optional(),
  rejectLog: z.string().nullable(),
  /** Absent in records made before reasons were counted. */
  rejectReasons: rejectReasonsSchema.optional(),
  batches: count,
  replayedBatches: count,
  /** Chunks not sent because the server already held them as they are (docs/decisions/022); absent in older records. */
  heldBatches: count.optional(),
});
export type ImportFigures = z.infer<typeof importFiguresSchema>;

export const validateFiguresSchema = z.object({
  /** Always "delta = server − snapshot". */
  convention: z.string(),
  /** SQLite table → server − snapshot. */
  deltas: z.record(z.string(), count),
  /** SQLite table → both counts and their delta (absent in older records). */
  counts: z.record(z.string(), z.object({ snapshot: count, server: count, delta: count })).optional(),
  ignoredRuns: z.array(
    z.object({ runId: z.string(), inSnapshot: z.boolean(), onServer: z.boolean(), serverOnlyReports: count }),
  ),
  /** Keys the server holds that the snapshot does not, per SQLite table (absent in older records). */
  extraOnServer: z.array(z.object({ table: z.string(), count, keys: z.array(z.string()) })).optional(),
  /** A validate after rows were removed on the server during the cutover. */
  postCleanup: z.boolean().optional(),
  /** The snapshot's most recent posts checked through GET /api/v1/posts/{statusId}. */
  recentPosts: z.object({ checked: count, matching: count }).optional(),
  spotCheck: z.object({
    sample: count,
    tables: z.record(
      z.string(),
      z.object({
        checked: count,
        missing: count,
        mismatches: count,
        /** Shared rows another collector pushed a newer version of since (absent in older records). */
        newerOnServer: count.optional(),
        differing: z.array(z.unknown()),
      }),
    ),
  }),
  report: z.string(),
});
export type ValidateFigures = z.infer<typeof validateFiguresSchema>;
