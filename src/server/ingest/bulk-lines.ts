// A bulk chunk's NDJSON lines checked and written as binary COPY rows one
// line at a time: each line is decoded, parsed, validated (the same checks
// as ingest.push, validate-items.ts) and encoded, then dropped. Holding the
// whole chunk at every stage (its text, lines, parsed items, validated rows)
// until the COPY kept 60–170 MB live in the app during a cutover's import,
// enough to outlive V8's young-generation collections, which is what made
// the young generation grow (docs/benchmarks.md). What a chunk keeps now is
// its body, its COPY bytes (both in buffers from the bulk pool) and, per row,
// its key and a few numbers in flat arrays (where its line and COPY bytes
// are, its updated_at, whether it has anomalies): a chunk lives through its
// transaction, long enough for V8 to move what it holds into the old
// generation, so it holds no object per row (collector_pushes reads the
// staging table, not a copy of each row's key and times).
import { MAX_ITEMS_PER_TABLE } from "~/shared/schemas/ingest";
import { syncTables, type SyncTable } from "~/shared/schemas/tables";
import { ANOMALIES_COLUMN, perTable } from "~/shared/table-catalog";
import { PgBinaryWriter } from "~/shared/pg-binary-writer";
import type { Role } from "../auth/principal";
import { AppError } from "../errors";
import { writeRow } from "./binary-copy";
import { bulkBuffers } from "./bulk-buffers";
import { upsertColumnsOf } from "./upsert-sql";
import {
  batchValuesOf,
  canWriteTable,
  checkItem,
  duplicateReason,
  keepNewest,
  keyOf,
  permissionDenied,
  type ClockLimit,
  updatedAtMs,
  type ItemReject,
  type ValidatedBatch,
} from "./validate-items";

const NEWLINE = 10;
/** COPY bytes per buffer: a few socket writes' worth, so a chunk's rows need no growing and copying of one large buffer. */
const PART_BYTES = 256 * 1024;
/** Room past PART_BYTES for the row that crosses it: without it every buffer grew to twice its size, copying. */
const PART_CAPACITY = PART_BYTES + 64 * 1024;

const upsertColumns = perTable(upsertColumnsOf);

/** Lines of an NDJSON body (a last line without its newline counts; nothing after the last newline does not). */
export function countLines(body: Uint8Array): number {
  let lines = 0;
  let at = 0;
  for (;;) {
    const next = body.indexOf(NEWLINE, at);
    if (next === -1) return at < body.length ? lines + 1 : lines;
    lines++;
    at = next + 1;
  }
}

export function assertLineCount(body: Uint8Array): void {
  const lines = countLines(body);
  if (lines > MAX_ITEMS_PER_TABLE)
    throw new AppError(
      "PAYLOAD_TOO_LARGE",
      `A bulk chunk may hold at most ${MAX_ITEMS_PER_TABLE} lines; this one has ${lines}: send smaller chunks.`,
    );
}

/** Each line's bytes (start, end) with its index. Split on the byte: a newline is never part of a UTF-8 sequence. */
function* ndjsonLines(bytes: Buffer): Generator<[start: number, end: number, index: number]> {
  let index = 0;
  for (let at = 0; at < bytes.length; index++) {
    let end = bytes.indexOf(NEWLINE, at);
    if (end === -1) end = bytes.length;
    yield [at, end, index];
    at = end + 1;
  }
}

type Parsed = { item: unknown; unreadable?: undefined } | { unreadable: string; item?: undefined };

/** A line that is not JSON stays a reject at its index, saying so. */
function parseLine(line: string, index: number): Parsed {
  try {
    return { item: JSON.parse(line) as unknown };
  } catch (error) {
    return { unreadable: `line ${index + 1} of the chunk is not JSON (${(error as Error).message.slice(0, 120)})` };
  }
}

/** A COPY part's writer, over a buffer from the bulk pool (given back once the chunk's transaction ends: push-bulk-chunk.ts). */
const newPart = () => new PgBinaryWriter(PART_CAPACITY, bulkBuffers.take(PART_CAPACITY));

/**
 * One table's chunk as COPY rows, and what is kept of each row written (by
 * its ordinal) to settle duplicates: numbers in flat arrays, not an object
 * per row. Rows can be left out afterwards (a version a later duplicate
 * replaced).
 */
class ChunkRows {
  private readonly parts: Buffer[] = [];
  private writer = newPart();
  /** Per row: its part and where its bytes start and end there. */
  private readonly part: number[] = [];
  private readonly start: number[] = [];
  private readonly end: number[] = [];
  /** Per row: its line's index and bytes in the body, its updated_at in ms, whether it carries anomalies. */
  readonly index: number[] = [];
  readonly lineStart: number[] = [];
  readonly lineEnd: number[] = [];
  readonly updatedMs: number[] = [];
  private readonly anomalous: boolean[] = [];

  /** Writes `row` from the line at `index` (bytes `line`); returns its ordinal. */
  write(
    row: Record<string, unknown>,
    columns: (typeof upsertColumns)[SyncTable],
    index: number,
    line: [number, number],
  ) {
    if (this.writer.pos >= PART_BYTES) this.closePart();
    this.part.push(this.parts.length);
    this.start.push(this.writer.pos);
    writeRow(this.writer, columns, row);
    this.end.push(this.writer.pos);
    this.index.push(index);
    this.lineStart.push(line[0]);
    this.lineEnd.push(line[1]);
    this.updatedMs.push(updatedAtMs(row.updated_at));
    this.anomalous.push((row[ANOMALIES_COLUMN] as unknown[]).length > 0);
    return this.index.length - 1;
  }

  private closePart(): void {
    this.parts.push(this.writer.bytes());
    this.writer = newPart();
  }

  /** Rows not left out that carry anomalies. */
  anomalies(leftOut: ReadonlySet<number>): number {
    return this.anomalous.filter((a, ordinal) => a && !leftOut.has(ordinal)).length;
  }

  /** The bytes of the rows not left out, in the order written. */
  copyData(leftOut: ReadonlySet<number>): Buffer[] {
    if (this.writer.pos > 0) this.closePart();
    if (leftOut.size === 0) return this.parts;
    const out: Buffer[] = [];
    let run: [part: number, start: number, end: number] | null = null;
    for (let ordinal = 0; ordinal < this.part.length; ordinal++) {
      if (leftOut.has(ordinal)) continue;
      const [part, start, end] = [this.part[ordinal]!, this.start[ordinal]!, this.end[ordinal]!];
      if (run && run[0] === part && run[2] === start) run[2] = end;
      else {
        if (run) out.push(this.parts[run[0]]!.subarray(run[1], run[2]));
        run = [part, start, end];
      }
    }
    if (run) out.push(this.parts[run[0]]!.subarray(run[1], run[2]));
    return out;
  }
}

/**
 * One table's chunk validated as validateBatchItems would the same lines as
 * items (the same rejects, reasons, indexes and order, the same rows kept),
 * with the kept rows staged as COPY data.
 */
export function stageBulkLines(
  body: Uint8Array,
  table: SyncTable,
  role: Role,
  extra: { collector: string; clock: ClockLimit },
): ValidatedBatch {
  const rejects: ItemReject[] = [];
  const mayWrite = canWriteTable(role, table);
  const batchValues = batchValuesOf(extra.collector)[table];
  const columns = upsertColumns[table];
  const keyColumn = syncTables[table].key;
  const rows = new ChunkRows();
  const timeOf = (ordinal: number) => rows.updatedMs[ordinal]!;
  /** Key → ordinal of its newest version so far. */
  const newestByKey = new Map<string, number>();
  const leftOut = new Set<number>();
  let received = 0;
  const bytes = Buffer.from(body.buffer, body.byteOffset, body.byteLength);
  for (const [start, end, index] of ndjsonLines(bytes)) {
    received++;
    const line = bytes.toString("utf8", start, end);
    const parsed = parseLine(line, index);
    if (parsed.unreadable !== undefined) {
      rejects.push({ table, index, key: null, reason: parsed.unreadable, rawItem: line.slice(0, 200) });
      continue;
    }
    const { item } = parsed;
    if (!mayWrite) {
      rejects.push({ table, index, key: keyOf(table, item), reason: permissionDenied(table), rawItem: item });
      continue;
    }
    const checked = checkItem(table, item, extra.clock, batchValues);
    if (!checked.row) {
      rejects.push({ table, index, key: keyOf(table, item), reason: checked.reason, rawItem: item });
      continue;
    }
    const key = String(checked.row[keyColumn]);
    const ordinal = rows.write(checked.row, columns, index, [start, end]);
    const loser = keepNewest(newestByKey, key, ordinal, timeOf);
    if (loser === null) continue;
    leftOut.add(loser);
    // A replaced version's item was not kept: its line is parsed again (duplicates are rare).
    const rawItem: unknown =
      loser === ordinal ? item : JSON.parse(bytes.toString("utf8", rows.lineStart[loser], rows.lineEnd[loser]));
    rejects.push({ table, index: rows.index[loser]!, key, reason: duplicateReason(table, key), rawItem });
  }
  return {
    rows: { ...emptyRows(), [table]: [] },
    rejects,
    received: { ...zeroCounts(), [table]: received },
    staged: {
      [table]: {
        count: newestByKey.size,
        anomalies: rows.anomalies(leftOut),
        copyData: rows.copyData(leftOut),
      },
    },
  };
}

const emptyRows = () =>
  Object.fromEntries(Object.keys(syncTables).map((t) => [t, []])) as unknown as ValidatedBatch["rows"];
const zeroCounts = () =>
  Object.fromEntries(Object.keys(syncTables).map((t) => [t, 0])) as unknown as ValidatedBatch["received"];
