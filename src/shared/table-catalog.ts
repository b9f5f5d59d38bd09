// The seven mirrored tables, described once. For each table: its three names
// (the batch field in an ingest call, the collector's SQLite table, the
// server's table), its key, the source time that counts and reconciles it,
// and every column: wire name (the object key, also the SQLite name), server
// column, server SQL type (the SQLite type follows from it), nullability,
// default and the validation of its value. The item schemas, the server's
// upsert and read-back SQL, the collector's row conversions and local upserts
// and the post view are all derived from this file, and
// test/catalog-agreement.test.ts holds it against the contract and the
// migrated database. Adding a column: the contract, schema.prisma (with its
// migration) and one line here.
import { z } from "zod";
import { bigCount, count, flag, isoTime, runMode, statusId, text, userId } from "./schemas/primitives";

/** The server's SQL types of mirrored columns (json_to_recordset spells them this way). */
export type SqlType =
  "text" | "timestamptz" | "integer" | "bigint" | "boolean" | "double precision" | "text[]" | "real[]";

/** How the collector's SQLite file stores each server type: times as ISO text, arrays as JSON text, vectors as float32 BLOBs. */
export const sqliteTypeOf: Record<SqlType, "TEXT" | "INTEGER" | "REAL" | "BLOB"> = {
  text: "TEXT",
  timestamptz: "TEXT",
  integer: "INTEGER",
  bigint: "INTEGER",
  boolean: "INTEGER",
  "double precision": "REAL",
  "text[]": "TEXT",
  "real[]": "BLOB",
};

type ColumnOptions = {
  readonly nullable?: true;
  /** What an item that leaves the column out gets (the contract's DEFAULT). */
  readonly default?: boolean | number | readonly string[];
  /** The server's column name, when it differs from the wire name. */
  readonly server?: string;
  /** The collector's store keeps the first write's value (when and by which run a row was first seen). */
  readonly keepFirst?: true;
  /** Where the post view (GET /api/v1/posts/{statusId}) nests the column: [group, field]. */
  readonly view?: readonly [string, string];
};

export type ColumnSpec = ColumnOptions & {
  readonly type: SqlType;
  /** The value's validation on the wire, before nullability and default. */
  readonly schema: z.ZodType;
};

/** A server column filled from the batch envelope, not from the item (nor kept in SQLite). */
export type BatchColumnSpec = { readonly type: SqlType; readonly nullable?: true };

export type TableSpec = {
  readonly sqlite: string;
  readonly server: string;
  /** The natural key: the primary key on both sides. */
  readonly key: string;
  /** The source time by which both sides count rows "since" (reconcile). */
  readonly sinceColumn: string;
  readonly columns: Readonly<Record<string, ColumnSpec>>;
  readonly fromBatch?: Readonly<Record<string, BatchColumnSpec>>;
  /**
   * The collector's store: a later write's NULL means "not in this fetch"
   * and keeps the stored value (an X payload may lack metrics it had before).
   */
  readonly nullKeepsStored?: true;
};

/** One column: its server SQL type, the validation of its value, and what else the catalog says of it. */
export function column<const T extends SqlType, S extends z.ZodType, const O extends ColumnOptions = ColumnOptions>(
  type: T,
  schema: S,
  options?: O,
): { readonly type: T; readonly schema: S } & O {
  return { type, schema, ...(options as O) };
}

/** The server column of a wire column. */
export const serverColumnOf = (name: string, spec: Pick<ColumnOptions, "server">): string => spec.server ?? name;

/**
 * The server columns a row's upsert conflicts on (its ON CONFLICT target and
 * the merge's lock order): the key today. Every merge statement takes them
 * from here, so a wider primary key changes one function.
 */
export const conflictColumnsOf = (spec: Pick<TableSpec, "key" | "columns">): string[] => [
  serverColumnOf(spec.key, spec.columns[spec.key] ?? {}),
];

const handle = text({ min: 1, max: 64 }).regex(/^[A-Za-z0-9_]+$/, "must be an X handle without '@'");
const uuidish = text({ min: 1, max: 128 });
const statusIdList = z.array(statusId).max(10_000);
const unitInterval = z.number().min(0).max(1);

// Every mirrored table carries the source's own last-change time; the server
// keeps its own updated_at (and ingested_at) beside it.
const sourceUpdatedAt = column("timestamptz", isoTime, { server: "source_updated_at" });

export const tableCatalog = {
  posts: {
    sqlite: "tweets",
    server: "posts",
    key: "status_id",
    sinceColumn: "collected_at",
    nullKeepsStored: true,
    columns: {
      status_id: column("text", statusId),
      author_handle: column("text", handle, { view: ["author", "handle"] }),
      author_id: column("text", userId, { nullable: true, view: ["author", "id"] }),
      body: column("text", text({ max: 100_000 })),
      lang: column("text", text({ max: 16 }), { nullable: true }),
      url: column("text", text({ max: 2048 }), { nullable: true }),
      created_at: column("timestamptz", isoTime),
      collected_at: column("timestamptz", isoTime, { keepFirst: true }),
      mode: column("text", runMode, { keepFirst: true }),
      run_id: column("text", uuidish, { nullable: true, keepFirst: true }),
      like_count: column("integer", count, { nullable: true, view: ["metrics", "like_count"] }),
      repost_count: column("integer", count, { nullable: true, view: ["metrics", "repost_count"] }),
      reply_count: column("integer", count, { nullable: true, view: ["metrics", "reply_count"] }),
      quote_count: column("integer", count, { nullable: true, view: ["metrics", "quote_count"] }),
      view_count: column("bigint", bigCount, { nullable: true, view: ["metrics", "view_count"] }),
      is_reply: column("boolean", flag, { default: false }),
      is_repost: column("boolean", flag, { default: false }),
      conversation_id: column("text", statusId, { nullable: true }),
      score: column("double precision", unitInterval, { nullable: true }),
      raw_json: column("text", text({ max: 1_000_000 }), { nullable: true }),
      updated_at: sourceUpdatedAt,
    },
  },
  reports: {
    sqlite: "reports",
    server: "reports",
    key: "report_id",
    sinceColumn: "created_at",
    columns: {
      report_id: column("text", uuidish),
      run_id: column("text", uuidish, { nullable: true }),
      kind: column("text", text({ min: 1, max: 64 })),
      title: column("text", text({ min: 1, max: 1000 })),
      body_md: column("text", text({ max: 1_000_000 })),
      status_ids: column("text[]", statusIdList, { default: [] }),
      created_at: column("timestamptz", isoTime, { keepFirst: true }),
      updated_at: sourceUpdatedAt,
    },
  },
  pipelineRuns: {
    sqlite: "runs",
    server: "pipeline_runs",
    key: "run_id",
    sinceColumn: "run_at",
    columns: {
      run_id: column("text", uuidish),
      mode: column("text", runMode),
      run_at: column("timestamptz", isoTime),
      finished_at: column("timestamptz", isoTime, { nullable: true }),
      status: column("text", z.enum(["running", "success", "failed"])),
      fetched_count: column("integer", count, { default: 0 }),
      new_count: column("integer", count, { default: 0 }),
      error: column("text", text({ max: 10_000 }), { nullable: true }),
      updated_at: sourceUpdatedAt,
    },
    // The collector that pushed the run (null for rows a cutover imported).
    fromBatch: { collector: { type: "text", nullable: true } },
  },
  watchAccounts: {
    sqlite: "watch_accounts",
    server: "watch_accounts",
    key: "handle",
    sinceColumn: "added_at",
    columns: {
      handle: column(
        "text",
        handle.transform((h) => h.toLowerCase()),
      ),
      user_id: column("text", userId, { nullable: true }),
      tier: column("text", z.enum(["priority", "discovery"])),
      active: column("boolean", flag, { default: true }),
      note: column("text", text({ max: 10_000 }), { nullable: true }),
      added_at: column("timestamptz", isoTime),
      updated_at: sourceUpdatedAt,
    },
  },
  embeddings: {
    sqlite: "tweet_embeddings",
    server: "embeddings",
    key: "status_id",
    sinceColumn: "created_at",
    columns: {
      status_id: column("text", statusId),
      model: column("text", text({ min: 1, max: 200 })),
      dims: column("integer", z.number().int().min(1).max(8192)),
      vector: column("real[]", z.array(z.number().refine(Number.isFinite, "must be a finite number")).max(8192)),
      created_at: column("timestamptz", isoTime, { keepFirst: true }),
      updated_at: sourceUpdatedAt,
    },
  },
  windowSummaries: {
    sqlite: "window_summaries",
    server: "window_summaries",
    key: "window_id",
    sinceColumn: "created_at",
    columns: {
      window_id: column("text", text({ min: 1, max: 256 })),
      mode: column("text", runMode),
      window_start: column("timestamptz", isoTime),
      window_end: column("timestamptz", isoTime),
      post_count: column("integer", count),
      summary_md: column("text", text({ max: 1_000_000 })),
      top_status_ids: column("text[]", statusIdList, { default: [] }),
      created_at: column("timestamptz", isoTime, { keepFirst: true }),
      updated_at: sourceUpdatedAt,
    },
  },
  narrativeShifts: {
    sqlite: "narrative_shifts",
    server: "narrative_shifts",
    key: "shift_id",
    sinceColumn: "created_at",
    columns: {
      shift_id: column("text", uuidish),
      topic: column("text", text({ min: 1, max: 500 })),
      detected_at: column("timestamptz", isoTime, { keepFirst: true }),
      window_id: column("text", text({ max: 256 }), { nullable: true }),
      magnitude: column("double precision", unitInterval),
      description: column("text", text({ max: 100_000 })),
      status_ids: column("text[]", statusIdList, { default: [] }),
      created_at: column("timestamptz", isoTime, { keepFirst: true }),
      updated_at: sourceUpdatedAt,
    },
  },
} as const satisfies Record<string, TableSpec>;

export type TableCatalog = Readonly<Record<string, TableSpec>>;
export type SyncTable = keyof typeof tableCatalog;
export type ColumnsOf<T extends SyncTable> = (typeof tableCatalog)[T]["columns"];
export const syncTableNames = Object.keys(tableCatalog) as SyncTable[];

/** Something derived for each table from its spec, worked out once (SQL strings, converters). */
export function perTable<R>(derive: (spec: TableSpec, table: SyncTable) => R): Record<SyncTable, R> {
  return Object.fromEntries(syncTableNames.map((table) => [table, derive(tableCatalog[table], table)])) as Record<
    SyncTable,
    R
  >;
}
