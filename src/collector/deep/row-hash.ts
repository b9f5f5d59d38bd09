// A SQLite row's hash, byte for byte what the server computes from its typed
// columns: md5 over PostgreSQL's binary record encoding (record_send) of the
// hashed columns (src/shared/row-hash.ts), first 52 bits. The encoding per
// column: type oid, byte length (-1 for NULL), then the type's binary send
// form: text as UTF-8, integer/bigint as 4/8-byte big-endian, boolean one
// byte, double precision IEEE 754 big-endian, timestamptz microseconds since
// 2000-01-01 as int64, arrays as array_send (dimensions, element oid, each
// element with its length).
import { hash } from "node:crypto";
import { hashColumns } from "~/shared/row-hash";
import { isoTimeMs } from "~/shared/schemas/primitives";
import { FLOAT4_OID, PgBinaryWriter, TEXT_OID } from "~/shared/pg-binary-writer";
import type { SqlType, SyncTable } from "~/shared/table-catalog";

const OID: Record<SqlType, number> = {
  text: 25,
  timestamptz: 1184,
  integer: 23,
  bigint: 20,
  boolean: 16,
  "double precision": 701,
  "text[]": 1009,
  "real[]": 1021,
};
const POSTGRES_EPOCH_MS = 946_684_800_000;

/** SQLite hands back text, numbers, bigints or Buffers: each as its text. */
function asText(value: unknown): string {
  if (typeof value === "string") return value;
  if (typeof value === "number" || typeof value === "bigint") return value.toString();
  return JSON.stringify(value) ?? "";
}

function parseJsonArray(value: string): unknown[] | null {
  try {
    const parsed: unknown = JSON.parse(value);
    return Array.isArray(parsed) ? parsed : null;
  } catch {
    return null;
  }
}

/** array_send: its header, then each element. */
function writeArray(w: PgBinaryWriter, elementOid: number, length: number, writeElement: (i: number) => void): void {
  w.arrayHeader(elementOid, length);
  for (let i = 0; i < length; i++) writeElement(i);
}

/** One column's value as SQLite holds it (ISO text times, 0/1 booleans, JSON-array text, float32 BLOBs). */
function writeValue(w: PgBinaryWriter, type: SqlType, value: unknown): void {
  w.int32(OID[type]);
  if (value === null || value === undefined) return w.int32(-1);
  switch (type) {
    case "text":
      return w.text(asText(value));
    case "integer":
      w.int32(4);
      return w.int32(Number(value));
    case "bigint":
      w.int32(8);
      return w.int64(Number(value));
    case "boolean":
      w.int32(1);
      return w.byte(Number(value) ? 1 : 0);
    case "double precision":
      w.int32(8);
      return w.float8(Number(value));
    case "timestamptz":
      w.int32(8);
      return w.int64((isoTimeMs(asText(value)) - POSTGRES_EPOCH_MS) * 1000);
    case "text[]": {
      const list = typeof value === "string" ? parseJsonArray(value) : null;
      // Not a JSON array: hashed as a plain text, so it differs from whatever the server holds.
      if (!list) return w.text(asText(value));
      const start = w.lengthSlot();
      writeArray(w, TEXT_OID, list.length, (i) => w.text(String(list[i])));
      return w.closeSlot(start);
    }
    case "real[]": {
      if (!(value instanceof Uint8Array) || value.byteLength % 4 !== 0) return w.text(asText(value));
      const view = new DataView(value.buffer, value.byteOffset, value.byteLength);
      const start = w.lengthSlot();
      // Each value's bits as stored (a NaN's sign and payload too), big-endian: what float4send sends.
      writeArray(w, FLOAT4_OID, value.byteLength / 4, (i) => {
        w.int32(4);
        w.int32(view.getUint32(i * 4, true));
      });
      return w.closeSlot(start);
    }
  }
}

/** The hasher of one table: SQLite row values in hashColumns order → the row's 52-bit hash. */
export function rowHasherFor(table: SyncTable): (values: readonly unknown[]) => number {
  const types = hashColumns[table].map((col) => col.type);
  const w = new PgBinaryWriter();
  return (values) => {
    w.pos = 0;
    w.int32(types.length);
    for (let i = 0; i < types.length; i++) writeValue(w, types[i]!, values[i]);
    // The first 13 hex digits are the first 52 bits (hex output is cheaper than a Buffer's allocation).
    return parseInt(hash("md5", w.buf.subarray(0, w.pos), "hex").slice(0, 13), 16);
  };
}
