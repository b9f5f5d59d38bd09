// PostgreSQL's binary COPY format (the "COPY" page of its manual, "Binary
// Format"), written per column from the catalog's SQL types: a header, per
// row a field count and per field its length (-1: NULL) and bytes in the
// type's send format, then a trailer. Binary, not text, because text made
// the app format every float of every embedding as decimal and PostgreSQL
// parse it back (decisions/018); here a vector's float32 bytes are only
// reordered to big-endian.
import { FLOAT4_OID, type PgBinaryWriter, TEXT_OID } from "~/shared/pg-binary-writer";
import type { SqlType } from "~/shared/table-catalog";
import { daysFromCivil } from "~/shared/civil-days";

/** The 11-byte signature, then flags and header extension length (both 0). */
const HEADER = Buffer.concat([Buffer.from("PGCOPY\n\xff\r\n\0", "latin1"), Buffer.alloc(8)]);
/** A field count of -1 ends the data. */
const TRAILER = Buffer.from([0xff, 0xff]);

/** Days from 1970-01-01 to PostgreSQL's epoch, 2000-01-01 UTC. */
const PG_EPOCH_DAYS = 10_957;

const digit = (s: string, i: number) => s.charCodeAt(i) - 48;
const twoDigits = (s: string, i: number) => digit(s, i) * 10 + digit(s, i + 1);

/**
 * A validated ISO-8601 time (storableTime: `YYYY-MM-DDTHH:MM:SS[.f{1,6}]`
 * then `Z` or `±HH:MM`) as timestamptz's send format: an int64 of
 * microseconds since 2000-01-01 UTC, exact to the microsecond with the offset
 * applied (the merge then rounds to the column's milliseconds, as the JSON
 * path does). Read by position, not by regular expression, and without
 * BigInt: this runs for every time of every row (decisions/018 has the figures).
 */
function writeTimestamptz(w: PgBinaryWriter, iso: string): void {
  const days = daysFromCivil(
    digit(iso, 0) * 1000 + digit(iso, 1) * 100 + twoDigits(iso, 2),
    twoDigits(iso, 5),
    twoDigits(iso, 8),
  );
  let seconds =
    (days - PG_EPOCH_DAYS) * 86_400 + twoDigits(iso, 11) * 3600 + twoDigits(iso, 14) * 60 + twoDigits(iso, 17);
  let i = 19;
  let micros = 0;
  if (iso.charCodeAt(i) === 46 /* . */) {
    let scale = 100_000;
    for (i++; iso.charCodeAt(i) >= 48 && iso.charCodeAt(i) <= 57; i++, scale /= 10) micros += digit(iso, i) * scale;
  }
  if (iso.charCodeAt(i) !== 90 /* Z */) {
    const offset = twoDigits(iso, i + 1) * 3600 + twoDigits(iso, i + 4) * 60;
    seconds -= iso.charCodeAt(i) === 45 /* - */ ? -offset : offset;
  }
  // seconds × 10^6 + micros, as high and low 32 bits with exact double arithmetic:
  // 10^6 = 15625 × 2^6, and |seconds × 15625| < 2^53 for the years 0001 to 9999.
  const scaled = seconds * 15_625;
  let high = Math.floor(scaled / 2 ** 26);
  let low = (scaled - high * 2 ** 26) * 64 + micros;
  if (low >= 2 ** 32) {
    low -= 2 ** 32;
    high += 1;
  }
  w.int32(8);
  w.int32(high);
  w.int32(low);
}

/** A vector's float32 values as real[]'s send format: one dimension, each element 4 bytes big-endian. */
function writeFloat4Array(w: PgBinaryWriter, value: unknown): void {
  const values = value instanceof Float32Array ? value : Float32Array.from(value as ArrayLike<number>);
  // The same bytes seen as integers: the values' bits in the host's order, written out big-endian.
  const bits = new Uint32Array(values.buffer, values.byteOffset, values.length);
  const n = bits.length;
  const start = w.lengthSlot();
  w.arrayHeader(FLOAT4_OID, n);
  w.ensure(n * 8);
  const { buf } = w;
  let p = w.pos;
  for (let i = 0; i < n; i++) {
    const b = bits[i]!;
    buf[p] = 0;
    buf[p + 1] = 0;
    buf[p + 2] = 0;
    buf[p + 3] = 4;
    buf[p + 4] = b >>> 24;
    buf[p + 5] = (b >>> 16) & 0xff;
    buf[p + 6] = (b >>> 8) & 0xff;
    buf[p + 7] = b & 0xff;
    p += 8;
  }
  w.pos = p;
  w.closeSlot(start);
}

function writeTextArray(w: PgBinaryWriter, value: unknown): void {
  const values = value as readonly string[];
  const start = w.lengthSlot();
  w.arrayHeader(TEXT_OID, values.length);
  for (const v of values) w.text(v);
  w.closeSlot(start);
}

/** One non-NULL field: its length and its bytes. Values are already validated against the column's schema. */
const fieldWriters: Record<SqlType, (w: PgBinaryWriter, value: unknown) => void> = {
  boolean: (w, v) => {
    w.int32(1);
    w.byte(v === true || v === 1 ? 1 : 0);
  },
  integer: (w, v) => {
    w.int32(4);
    w.int32(v as number);
  },
  bigint: (w, v) => {
    w.int32(8);
    w.int64(v as number);
  },
  "double precision": (w, v) => {
    w.int32(8);
    w.float8(v as number);
  },
  text: (w, v) => w.text(v as string),
  timestamptz: (w, v) => writeTimestamptz(w, v as string),
  "text[]": writeTextArray,
  "real[]": writeFloat4Array,
};

/** One field of a row in binary COPY format; NULL (or a value left out) has length -1. */
export function writeField(w: PgBinaryWriter, type: SqlType, value: unknown): void {
  if (value === null || value === undefined) w.int32(-1);
  else fieldWriters[type](w, value);
}

/** One row: the field count, then each column's field in the COPY statement's order. */
export function writeRow(
  w: PgBinaryWriter,
  columns: readonly { wire: string; type: SqlType }[],
  row: Readonly<Record<string, unknown>>,
): void {
  w.int16(columns.length);
  for (const col of columns) writeField(w, col.type, row[col.wire]);
}

export { HEADER as BINARY_COPY_HEADER, TRAILER as BINARY_COPY_TRAILER };
