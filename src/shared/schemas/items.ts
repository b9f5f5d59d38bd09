// The rows the collector, the cutover export and the ingest API exchange,
// derived from the table catalog (src/shared/table-catalog.ts). Field names
// and meanings are the collector's SQLite contract (snake_case, the source's
// own `updated_at`), so a SQLite row becomes an item with no renaming;
// JSON-array columns travel as arrays, booleans as 0/1 or booleans.
import { z } from "zod";
import { syncTableNames, tableCatalog, type ColumnSpec, type ColumnsOf, type SyncTable } from "../table-catalog";

type ColumnSchema<C extends ColumnSpec> = C extends { nullable: true }
  ? z.ZodOptional<z.ZodNullable<C["schema"]>>
  : C extends { default: unknown }
    ? z.ZodDefault<C["schema"]>
    : C["schema"];

export type ItemShape<Columns extends Readonly<Record<string, ColumnSpec>>> = {
  -readonly [K in keyof Columns]: ColumnSchema<Columns[K]>;
};

/** The zod object of a shape (deferred, so that it also applies to a shape not yet known to be one). */
export type ItemSchemaOf<Columns extends Readonly<Record<string, ColumnSpec>>> =
  ItemShape<Columns> extends infer Shape extends z.core.$ZodLooseShape ? z.ZodObject<Shape, z.core.$strip> : never;

/** A nullable column may be left out or null; a column with a default may be left out. */
function columnSchema(spec: ColumnSpec): z.ZodType {
  if (spec.nullable) return spec.schema.nullish();
  // The catalog's default has the column's own type; zod's signature cannot see that through ColumnSpec.
  if (spec.default !== undefined) return spec.schema.default(spec.default as never);
  return spec.schema;
}

/** The item schema of a table's columns (stripping unknown keys, as z.object does). */
export function itemSchemaFor<Columns extends Readonly<Record<string, ColumnSpec>>>(
  columns: Columns,
): ItemSchemaOf<Columns> {
  const shape = Object.fromEntries(Object.entries(columns).map(([name, spec]) => [name, columnSchema(spec)]));
  return z.object(shape) as ItemSchemaOf<Columns>;
}

/** Checks across columns, beyond what each column's schema checks alone. */
const crossColumnChecks: { [T in SyncTable]?: (schema: ItemSchemas[T]) => ItemSchemas[T] } = {
  embeddings: (schema) =>
    schema.refine((e) => e.vector.length === e.dims, {
      message: "must hold dims values (float32 each): send dims equal to the vector's length",
      path: ["vector"],
    }),
};

type ItemSchemas = { [T in SyncTable]: ItemSchemaOf<ColumnsOf<T>> };

/** Each table's item schema, built once when the module loads. */
export const itemSchemas = Object.fromEntries(
  syncTableNames.map((table) => {
    const schema = itemSchemaFor(tableCatalog[table].columns);
    const check = crossColumnChecks[table] as ((s: typeof schema) => typeof schema) | undefined;
    return [table, check ? check(schema) : schema];
  }),
) as ItemSchemas;

export const postItemSchema = itemSchemas.posts;
export const reportItemSchema = itemSchemas.reports;
export const pipelineRunItemSchema = itemSchemas.pipelineRuns;
export const watchAccountItemSchema = itemSchemas.watchAccounts;
export const embeddingItemSchema = itemSchemas.embeddings;
export const windowSummaryItemSchema = itemSchemas.windowSummaries;
export const narrativeShiftItemSchema = itemSchemas.narrativeShifts;

export type PostItem = z.input<typeof postItemSchema>;
export type ReportItem = z.input<typeof reportItemSchema>;
export type PipelineRunItem = z.input<typeof pipelineRunItemSchema>;
export type WatchAccountItem = z.input<typeof watchAccountItemSchema>;
export type EmbeddingItem = z.input<typeof embeddingItemSchema>;
export type WindowSummaryItem = z.input<typeof windowSummaryItemSchema>;
export type NarrativeShiftItem = z.input<typeof narrativeShiftItemSchema>;

/** A table's item as stored: every column present, NULL as null, values as parsed (booleans as booleans). */
export type StoredRow<T extends SyncTable> = {
  [K in keyof z.output<ItemSchemas[T]>]-?: Exclude<z.output<ItemSchemas[T]>[K], undefined>;
};
