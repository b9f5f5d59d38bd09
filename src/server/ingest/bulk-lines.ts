// A bulk chunk's NDJSON lines checked and written as binary COPY rows one
// line at a time: each line is decoded, parsed, validated (the same checks
// as ingest.push, validate-items.ts) and encoded, then dropped. Holding the
// whole chunk at every stage (its text, lines, parsed items, validated rows)
// until the COPY kept 60–170 MB live in the app during a cutover's import,
// enough to outlive V8's young-generation collections, which is what made
// the young generation grow (docs/benchmarks.md). What a chunk keeps now is
// its body, its COPY bytes and, per row, its key and times for collector_pushes.
import { MAX_ITEMS_PER_TABLE } from "~/shared/schemas/ingest";
import { syncTables, type SyncTable } from "~/shared/schemas/tables";
import { ANOMALIES_COLUMN, perTable } from "~/shared/table-catalog";
import { PgBinaryWriter } from "~/shared/pg-binary-writer";
import type { Role } from "../auth/principal";
import { AppError } from "../errors";
import { writeRow } from "./binary-copy";
import { pushedKeysOf } from "./ingest-transaction";
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

/** Where a kept row's COPY bytes are, to leave out a version a later duplicate replaced. */
type KeptRow = {
  index: number;
  updatedAt: unknown;
  ordinal: number;
  anomalous: boolean;
  pushed: Record<string, unknown>;
  line: [start: number, end: number];
};

/** The COPY rows of one table's chunk as buffers; rows can be left out afterwards (a replaced duplicate). */
class CopyRows {
  private readonly parts: Buffer[] = [];
  /** Per row written: its part and where it starts and ends there. */
  private readonly at: [part: number, start: number, end: number][] = [];
  private writer = new PgBinaryWriter(PART_CAPACITY);

  write(row: Record<string, unknown>, columns: ReturnType<typeof upsertColumnsOf>): number {
    if (this.writer.pos >= PART_BYTES) this.closePart();
    const start = this.writer.pos;
    writeRow(this.writer, columns, row);
    this.at.push([this.parts.length, start, this.writer.pos]);
    return this.at.length - 1;
  }

  private closePart(): void {
    this.parts.push(this.writer.bytes());
    this.writer = new PgBinaryWriter(PART_CAPACITY);
  }

  /** The bytes of the rows not left out, in the order written. */
  copyData(leftOut: ReadonlySet<number>): Buffer[] {
    if (this.writer.pos > 0) this.closePart();
    if (leftOut.size === 0) return this.parts;
    const out: Buffer[] = [];
    let run: [part: number, start: number, end: number] | null = null;
    this.at.forEach(([part, start, end], ordinal) => {
      if (leftOut.has(ordinal)) return;
      if (run && run[0] === part && run[2] === start) run[2] = end;
      else {
        if (run) out.push(this.parts[run[0]]!.subarray(run[1], run[2]));
        run = [part, start, end];
      }
    });
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
  const copy = new CopyRows();
  const newestByKey = new Map<string, KeptRow>();
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
    const { row } = checked;
    const key = String(row[keyColumn]);
    const kept: KeptRow = {
      index,
      updatedAt: row.updated_at,
      ordinal: copy.write(row, columns),
      anomalous: (row[ANOMALIES_COLUMN] as unknown[]).length > 0,
      pushed: pushedKeysOf(table, row),
      line: [start, end],
    };
    const loser = keepNewest(newestByKey, key, kept);
    if (!loser) continue;
    leftOut.add(loser.ordinal);
    // A replaced version's item was not kept: its line is parsed again (duplicates are rare).
    const rawItem: unknown = loser === kept ? item : JSON.parse(bytes.toString("utf8", ...loser.line));
    rejects.push({ table, index: loser.index, key, reason: duplicateReason(table, key), rawItem });
  }
  const keptRows = [...newestByKey.values()];
  return {
    rows: { ...emptyRows(), [table]: [] },
    rejects,
    received: { ...zeroCounts(), [table]: received },
    staged: {
      [table]: {
        count: keptRows.length,
        anomalies: keptRows.filter((r) => r.anomalous).length,
        pushed: keptRows.map((r) => r.pushed),
        copyData: copy.copyData(leftOut),
      },
    },
  };
}

const emptyRows = () =>
  Object.fromEntries(Object.keys(syncTables).map((t) => [t, []])) as unknown as ValidatedBatch["rows"];
const zeroCounts = () =>
  Object.fromEntries(Object.keys(syncTables).map((t) => [t, 0])) as unknown as ValidatedBatch["received"];
