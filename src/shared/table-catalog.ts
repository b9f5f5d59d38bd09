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
import { anomalyRules as rules, type AnomalyRule } from "./anomaly-rules";
import {
  finiteNumber,
  flag,
  indexedText,
  int4,
  naturalKey,
  safeInteger,
  statusId,
  storableTime,
  text,
} from "./schemas/primitives";
import { vectorValue } from "./schemas/vector";

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
  /** Rules for values the contract allows but X would never issue: recorded with the row, never rejected. */
  readonly anomalies?: readonly AnomalyRule[];
};

export type ColumnSpec = ColumnOptions & {
  readonly type: SqlType;
  /** The value's validation on the wire, before nullability and default. */
  readonly schema: z.ZodType;
};

/**
 * A server column filled from the batch envelope, not from the item (nor kept
 * in SQLite). `inKey`: part of the server's primary key, before the natural key.
 */
export type BatchColumnSpec = { readonly type: SqlType; readonly nullable?: true; readonly inKey?: true };

export type TableSpec = {
  readonly sqlite: string;
  readonly server: string;
  /** The natural key: the primary key in SQLite; on the server, after the key columns from the batch (conflictColumnsOf). */
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

// Values are refused only where PostgreSQL could not store them as they are
// or the contract forbids them (NOT NULL, CHECK, status_id's decimal digits);
// what X would never issue is an anomaly (decisions/014).
const free = text();
// The text[] columns have GIN indexes; the bound on the count keeps one row's index work bounded.
const statusIdList = z.array(indexedText).max(10_000);
const xEra = { anomalies: [rules.xEra] } as const;
const mode = { anomalies: [rules.runMode] } as const;
const counted = { anomalies: [rules.nonNegative] } as const;
const statusIds = { default: [] as string[], anomalies: [rules.xStatusIds] } as const;
const handle = { anomalies: [rules.xHandle, rules.lowercase] } as const;

/** Every mirrored table's server-only column: the anomalies of the stored version (empty when none). */
export const ANOMALIES_COLUMN = "anomalies";

/**
 * Provenance (docs/decisions/012-per-collector-provenance.md). A table the
 * collectors own has one row per (collector, natural key): the pushing
 * collector comes from the batch envelope and no collector's push can change
 * another's row. Posts and embeddings are shared (one row per key, the newest
 * version wins) and record in collector_pushes which collector pushed which key.
 */
const ownedByCollector = { collector: { type: "text", inKey: true } } as const satisfies Record<
  string,
  BatchColumnSpec
>;

/** The server's primary key and the upsert's conflict target: key columns from the batch, then the natural key. */
export function conflictColumnsOf(spec: TableSpec): string[] {
  const fromBatch = Object.entries(spec.fromBatch ?? {}).filter(([, col]) => col.inKey);
  return [...fromBatch.map(([name]) => name), serverColumnOf(spec.key, spec.columns[spec.key]!)];
}

/** Whether each collector has its own rows of this table (else: shared rows, pushes in collector_pushes). */
export function isCollectorOwned(spec: TableSpec): boolean {
  return conflictColumnsOf(spec).includes("collector");
}

// Every mirrored table carries the source's own last-change time; the server
// keeps its own updated_at (and ingested_at) beside it.
const sourceUpdatedAt = column("timestamptz", storableTime, { server: "source_updated_at", ...xEra });

export const tableCatalog = {
  posts: {
    sqlite: "tweets",
    server: "posts",
    key: "status_id",
    sinceColumn: "collected_at",
    nullKeepsStored: true,
    columns: {
      status_id: column("text", statusId),
      author_handle: column("text", indexedText, { view: ["author", "handle"], ...handle }),
      author_id: column("text", free, { nullable: true, view: ["author", "id"], anomalies: [rules.xUserId] }),
      body: column("text", free),
      lang: column("text", free, { nullable: true }),
      url: column("text", free, { nullable: true }),
      created_at: column("timestamptz", storableTime, xEra),
      collected_at: column("timestamptz", storableTime, { keepFirst: true, ...xEra }),
      mode: column("text", free, { keepFirst: true, ...mode }),
      run_id: column("text", indexedText, { nullable: true, keepFirst: true }),
      like_count: column("integer", int4, { nullable: true, view: ["metrics", "like_count"], ...counted }),
      repost_count: column("integer", int4, { nullable: true, view: ["metrics", "repost_count"], ...counted }),
      reply_count: column("integer", int4, { nullable: true, view: ["metrics", "reply_count"], ...counted }),
      quote_count: column("integer", int4, { nullable: true, view: ["metrics", "quote_count"], ...counted }),
      view_count: column("bigint", safeInteger, { nullable: true, view: ["metrics", "view_count"], ...counted }),
      is_reply: column("boolean", flag, { default: false }),
      is_repost: column("boolean", flag, { default: false }),
      conversation_id: column("text", free, { nullable: true, anomalies: [rules.xStatusId] }),
      score: column("double precision", finiteNumber, { nullable: true, anomalies: [rules.unitInterval] }),
      raw_json: column("text", free, { nullable: true }),
      updated_at: sourceUpdatedAt,
    },
  },
  reports: {
    sqlite: "reports",
    server: "reports",
    key: "report_id",
    sinceColumn: "created_at",
    columns: {
      report_id: column("text", naturalKey),
      run_id: column("text", indexedText, { nullable: true }),
      kind: column("text", free),
      title: column("text", free),
      body_md: column("text", free),
      status_ids: column("text[]", statusIdList, statusIds),
      created_at: column("timestamptz", storableTime, { keepFirst: true, ...xEra }),
      updated_at: sourceUpdatedAt,
    },
    fromBatch: ownedByCollector,
  },
  pipelineRuns: {
    sqlite: "runs",
    server: "pipeline_runs",
    key: "run_id",
    sinceColumn: "run_at",
    columns: {
      run_id: column("text", naturalKey),
      mode: column("text", indexedText, mode),
      run_at: column("timestamptz", storableTime, xEra),
      finished_at: column("timestamptz", storableTime, { nullable: true, ...xEra }),
      status: column("text", z.enum(["running", "success", "failed"])),
      fetched_count: column("integer", int4, { default: 0, ...counted }),
      new_count: column("integer", int4, { default: 0, ...counted }),
      error: column("text", free, { nullable: true }),
      updated_at: sourceUpdatedAt,
    },
    fromBatch: ownedByCollector,
  },
  watchAccounts: {
    sqlite: "watch_accounts",
    server: "watch_accounts",
    key: "handle",
    sinceColumn: "added_at",
    columns: {
      // Stored as it is: lower-casing here would merge two legacy rows into one key and hide the row the
      // snapshot holds from the cutover's validate.
      handle: column("text", naturalKey, handle),
      user_id: column("text", free, { nullable: true, anomalies: [rules.xUserId] }),
      tier: column("text", z.enum(["priority", "discovery"])),
      active: column("boolean", flag, { default: true }),
      note: column("text", free, { nullable: true }),
      added_at: column("timestamptz", storableTime, xEra),
      updated_at: sourceUpdatedAt,
    },
    fromBatch: ownedByCollector,
  },
  embeddings: {
    sqlite: "tweet_embeddings",
    server: "embeddings",
    key: "status_id",
    sinceColumn: "created_at",
    columns: {
      status_id: column("text", statusId),
      model: column("text", free),
      dims: column("integer", int4),
      vector: column("real[]", vectorValue, { anomalies: [rules.finiteVector] }),
      created_at: column("timestamptz", storableTime, { keepFirst: true, ...xEra }),
      updated_at: sourceUpdatedAt,
    },
  },
  windowSummaries: {
    sqlite: "window_summaries",
    server: "window_summaries",
    key: "window_id",
    sinceColumn: "created_at",
    columns: {
      window_id: column("text", naturalKey),
      mode: column("text", indexedText, mode),
      window_start: column("timestamptz", storableTime, xEra),
      window_end: column("timestamptz", storableTime, xEra),
      post_count: column("integer", int4, counted),
      summary_md: column("text", free),
      top_status_ids: column("text[]", statusIdList, statusIds),
      created_at: column("timestamptz", storableTime, { keepFirst: true, ...xEra }),
      updated_at: sourceUpdatedAt,
    },
    fromBatch: ownedByCollector,
  },
  narrativeShifts: {
    sqlite: "narrative_shifts",
    server: "narrative_shifts",
    key: "shift_id",
    sinceColumn: "created_at",
    columns: {
      shift_id: column("text", naturalKey),
      topic: column("text", free),
      detected_at: column("timestamptz", storableTime, { keepFirst: true, ...xEra }),
      window_id: column("text", free, { nullable: true }),
      magnitude: column("double precision", finiteNumber, { anomalies: [rules.unitInterval] }),
      description: column("text", free),
      status_ids: column("text[]", statusIdList, statusIds),
      created_at: column("timestamptz", storableTime, { keepFirst: true, ...xEra }),
      updated_at: sourceUpdatedAt,
    },
    fromBatch: ownedByCollector,
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
