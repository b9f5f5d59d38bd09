// SQLite rows ↔ ingest items (src/shared/schemas/items.ts). The names are
// already the contract's, so only the encodings change, by each column's
// type in the table catalog: JSON-array TEXT ↔ array, 0/1 ↔ boolean, the
// float32 BLOB → base64 of its bytes (the wire's form, decisions/018;
// back from base64 or numbers), times to the store's one text form. A legacy
// value that cannot be decoded is passed through unchanged, so the server
// rejects that one item with a clear reason instead of the whole batch.
import type { z } from "zod";
import type { itemSchemas, StoredRow } from "~/shared/schemas/items";
import { perTable, tableCatalog, type SqlType, type SyncTable, type TableSpec } from "~/shared/table-catalog";
import { encodeVector } from "../embedding";
import { toIsoMs } from "../util/time";

/** A table's item as the collector sends it. */
export type { StoredRow };

export type ItemOf = { [T in SyncTable]: z.input<(typeof itemSchemas)[T]> };

/** The columns an item may leave out (nullable, or with a default). */
type OptionalColumns<T extends SyncTable> = {
  [K in keyof ItemOf[T]]-?: object extends Pick<ItemOf[T], K> ? K : never;
}[keyof ItemOf[T]];

/** A row to write: the stored row's types, with the columns an item may leave out optional. */
export type RowInput<T extends SyncTable> = Omit<StoredRow<T>, OptionalColumns<T>> &
  Partial<Pick<StoredRow<T>, OptionalColumns<T> & keyof StoredRow<T>>>;

type Row = Record<string, unknown>;
type Convert = (value: unknown) => unknown;

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

/** The BLOB's bytes as they are, base64 on the wire (decisions/018); a BLOB that is no whole vector is for the server to reject. */
function vector(value: unknown): unknown {
  if (!(value instanceof Uint8Array)) return value;
  return Buffer.from(value.buffer, value.byteOffset, value.byteLength).toString("base64");
}

const decoders: Partial<Record<SqlType, Convert>> = { boolean: bool, "text[]": jsonArray, "real[]": vector };

const encoders: Partial<Record<SqlType, Convert>> = {
  boolean: (v) => (v ? 1 : 0),
  timestamptz: (v) => toIsoMs(v as string),
  "text[]": (v) => JSON.stringify(v),
  "real[]": (v) => (typeof v === "string" ? Buffer.from(v, "base64") : encodeVector(v as ArrayLike<number>)),
};

/** The columns of a table whose type needs a conversion, worked out once per table. */
function conversions(spec: TableSpec, by: Partial<Record<SqlType, Convert>>): [string, Convert][] {
  return Object.entries(spec.columns).flatMap(([name, col]) => {
    const convert = by[col.type];
    return convert ? [[name, convert] as [string, Convert]] : [];
  });
}

/** SQLite row → item; other columns pass as they are. */
export function rowDecoderFor(spec: TableSpec): (row: Row) => Row {
  const decode = conversions(spec, decoders);
  return (row) => {
    const item = { ...row };
    for (const [name, convert] of decode) item[name] = convert(row[name]);
    return item;
  };
}

/**
 * Item → the named parameters of a SQLite statement over every column: a
 * column left out gets its default, or NULL.
 */
export function rowEncoderFor(spec: TableSpec): (item: Row) => Row {
  const columns = Object.entries(spec.columns).map(([name, col]) => ({
    name,
    fallback: col.default ?? null,
    encode: encoders[col.type],
  }));
  return (item) => {
    const row: Row = {};
    for (const { name, fallback, encode } of columns) {
      const value = item[name] ?? fallback;
      row[name] = encode && value !== null ? encode(value) : value;
    }
    return row;
  };
}

const rowDecoders = perTable(rowDecoderFor);

export function rowToItem<T extends SyncTable>(table: T, row: Row): ItemOf[T] {
  return rowDecoders[table](row) as ItemOf[T];
}

/** Names an object literal cannot carry as plain own keys in the row's order. */
const UNSAFE_LITERAL_KEY = /^(?:__proto__|0|[1-9][0-9]*)$/;

/**
 * `rowToItem` for the rows of one statement, whose columns (in the rows' key
 * order) are known up front: the item is one object literal of a fixed shape
 * instead of a spread of the row and stores into the copy, which made up
 * most of the cutover's cost per line besides `JSON.stringify`. It holds the
 * same keys in the same order with the same values, so its JSON is the same
 * text, byte for byte. Column names an object literal would treat
 * differently (`__proto__`, array indices) keep `rowToItem`.
 */
export function rowToItemFor<T extends SyncTable>(table: T, columns: readonly string[]): (row: Row) => ItemOf[T] {
  if (columns.some((name) => UNSAFE_LITERAL_KEY.test(name)) || new Set(columns).size !== columns.length)
    return (row) => rowToItem(table, row);
  const convert = new Map(conversions(tableCatalog[table], decoders));
  const convertAt: Convert[] = [];
  const fields = columns.map((name) => {
    const key = JSON.stringify(name);
    const decode = convert.get(name);
    if (!decode) return `${key}: row[${key}]`;
    convertAt.push(decode);
    return `${key}: convertAt[${convertAt.length - 1}](row[${key}])`;
  });
  // Generated once per statement: a literal of known keys is built with the object's final shape at
  // once, which neither a spread nor a loop of keyed stores manages. Keys are JSON string literals.
  // eslint-disable-next-line @typescript-eslint/no-implied-eval
  const make = new Function("convertAt", `return (row) => ({ ${fields.join(", ")} });`) as (
    convertAt: Convert[],
  ) => (row: Row) => ItemOf[T];
  return make(convertAt);
}
