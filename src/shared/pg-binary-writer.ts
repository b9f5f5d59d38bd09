// PostgreSQL's binary send formats written into one growable buffer. The
// collector's row hash (record_send, src/collector/deep/row-hash.ts) and the
// server's binary COPY (src/server/ingest/binary-copy.ts) write the same
// things: big-endian integers, length-prefixed UTF-8, fields whose length is
// known only once their bytes are written, and array_send's header.

/** Element type oids in a binary array's header. */
export const TEXT_OID = 25;
export const FLOAT4_OID = 700;

const TWO_32 = 4_294_967_296;
/** Up to this many UTF-16 units a text is copied by hand when it is ASCII. */
const SHORT_TEXT = 64;

export class PgBinaryWriter {
  buf: Buffer;
  pos = 0;

  /** Writes into a new buffer of `capacity` bytes, or into `into` (taken from a pool), growing past either as needed. */
  constructor(capacity = 64 * 1024, into?: Buffer) {
    this.buf = into ?? Buffer.allocUnsafe(Math.max(capacity, 1024));
  }

  ensure(extra: number): void {
    if (this.pos + extra <= this.buf.length) return;
    const next = Buffer.allocUnsafe(Math.max(this.buf.length * 2, this.pos + extra));
    this.buf.copy(next, 0, 0, this.pos);
    this.buf = next;
  }

  byte(value: number): void {
    this.ensure(1);
    this.buf[this.pos++] = value;
  }

  int16(value: number): void {
    this.ensure(2);
    this.buf[this.pos] = value >>> 8;
    this.buf[this.pos + 1] = value;
    this.pos += 2;
  }

  /** Big-endian, by hand: Buffer's writeInt32BE checks its arguments, and a row makes dozens of these calls. */
  int32(value: number): void {
    this.ensure(4);
    const buf = this.buf;
    const pos = this.pos;
    // A Uint8Array keeps the low 8 bits of what is stored.
    buf[pos] = value >>> 24;
    buf[pos + 1] = value >>> 16;
    buf[pos + 2] = value >>> 8;
    buf[pos + 3] = value;
    this.pos = pos + 4;
  }

  /** A safe integer as int8: high and low 32 bits (floor keeps two's complement for negatives). */
  int64(value: number): void {
    const high = Math.floor(value / TWO_32);
    this.int32(high);
    this.int32(value - high * TWO_32);
  }

  float8(value: number): void {
    this.ensure(8);
    this.pos = this.buf.writeDoubleBE(value, this.pos);
  }

  /** UTF-8 with its length in front (a text field, or a text array element). */
  text(value: string): void {
    const n = value.length;
    this.ensure(4 + n * 3);
    const buf = this.buf;
    const start = this.pos + 4;
    // Short ASCII strings (most columns) byte by byte: cheaper than a call into the UTF-8 encoder.
    let i = 0;
    if (n <= SHORT_TEXT)
      for (; i < n; i++) {
        const c = value.charCodeAt(i);
        if (c >= 0x80) break;
        buf[start + i] = c;
      }
    const written = i === n ? n : i + buf.write(i === 0 ? value : value.slice(i), start + i, "utf8");
    buf.writeInt32BE(written, this.pos);
    this.pos = start + written;
  }

  /** Reserves a field's length; returns where its bytes start, for `closeSlot` once they are written. */
  lengthSlot(): number {
    this.ensure(4);
    this.pos += 4;
    return this.pos;
  }

  closeSlot(start: number): void {
    this.buf.writeInt32BE(this.pos - start, start - 4);
  }

  /** array_send's header for one dimension: ndim, has-nulls flag, element oid, then (length, lower bound 1) unless empty. */
  arrayHeader(elementOid: number, length: number): void {
    this.int32(length === 0 ? 0 : 1);
    this.int32(0);
    this.int32(elementOid);
    if (length === 0) return;
    this.int32(length);
    this.int32(1);
  }

  bytes(): Buffer {
    return this.buf.subarray(0, this.pos);
  }
}
