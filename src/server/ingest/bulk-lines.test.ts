// The bulk path validates a chunk line by line into COPY rows; ingest.push
// validates items it holds whole. Both must give the same rejects (reasons,
// indexes, keys, raw items, in the same order) and the same rows.
import { describe, expect, it } from "vitest";
import { laterVersion, makePosts } from "../../../test/support/fixtures";
import { syncTableNames, syncTables, type SyncTable } from "../../shared/schemas/tables";
import { PgBinaryWriter } from "../../shared/pg-binary-writer";
import type { Role } from "../auth/principal";
import { writeRow } from "./binary-copy";
import { countLines, stageBulkLines } from "./bulk-lines";
import { upsertColumnsOf } from "./upsert-sql";
import { validateBatchItems, type ValidatedBatch } from "./validate-items";
import { ANOMALIES_COLUMN } from "../../shared/table-catalog";

const clock = { now: Date.parse("2026-11-21T00:00:00Z"), maxFutureSkewMs: 300_000 };
const extra = { collector: "lines-box", clock };

/** The bulk path as it was: the whole body as lines, each parsed, validated together; a line that is not JSON says so. */
function wholeChunk(body: string, table: SyncTable, role: Role): ValidatedBatch {
  const lines = body.split("\n");
  if (lines.at(-1) === "") lines.pop();
  const unreadable = new Map<number, string>();
  const items = lines.map((line, index) => {
    try {
      return JSON.parse(line) as unknown;
    } catch (error) {
      unreadable.set(index, `line ${index + 1} of the chunk is not JSON (${(error as Error).message.slice(0, 120)})`);
      return line.slice(0, 200);
    }
  });
  const batch = Object.fromEntries(syncTableNames.map((t) => [t, t === table ? items : []]));
  const validated = validateBatchItems(batch as Record<SyncTable, unknown[]>, role, extra);
  for (const r of validated.rejects) r.reason = unreadable.get(r.index) ?? r.reason;
  return validated;
}

/** Binary COPY rows (field count, then length-prefixed fields) split apart, as hex. */
function copyRows(data: Buffer): string[] {
  const rows: string[] = [];
  for (let at = 0; at < data.length;) {
    const start = at;
    const fields = data.readInt16BE(at);
    at += 2;
    for (let f = 0; f < fields; f++) {
      const length = data.readInt32BE(at);
      at += 4 + Math.max(length, 0);
    }
    rows.push(data.subarray(start, at).toString("hex"));
  }
  return rows;
}

function encoded(table: SyncTable, rows: Record<string, unknown>[]): string[] {
  const columns = upsertColumnsOf(syncTables[table]);
  return rows.map((row) => {
    const w = new PgBinaryWriter(1024);
    writeRow(w, columns, row);
    return w.bytes().toString("hex");
  });
}

function expectSame(body: string, table: SyncTable, role: Role): ValidatedBatch {
  const before = wholeChunk(body, table, role);
  const now = stageBulkLines(Buffer.from(body), table, role, extra);
  expect(now.rejects).toEqual(before.rejects);
  expect(now.received[table]).toBe(before.received[table]);
  const rows = before.rows[table];
  const staged = now.staged![table]!;
  expect(staged.count).toBe(rows.length);
  expect(staged.anomalies).toBe(rows.filter((r) => (r[ANOMALIES_COLUMN] as string[]).length > 0).length);
  // The merge reads staging in key order: the rows must be the same, their order in the COPY data need not.
  expect(copyRows(Buffer.concat(staged.copyData)).sort()).toEqual(encoded(table, rows).sort());
  return now;
}

const posts = makePosts(700, { seed: 21, firstId: 1_800_000_000_000_000_000n, at: Date.parse("2026-11-20T10:00:00Z") });
const line = (item: unknown) => `${JSON.stringify(item)}\n`;

describe("a bulk chunk validated line by line", () => {
  it("gives the rows and rejects of the whole chunk validated at once", () => {
    const body = [
      line(posts[0]),
      `{"status_id": "17000000000000000\n`,
      "\n",
      line({ ...posts[1]!, status_id: "not-digits" }),
      line({ ...posts[2]!, like_count: -1 }),
      line({ ...posts[3]!, updated_at: "2027-06-01T00:00:00.000Z" }),
      line("a string"),
      line(laterVersion(posts[0]!, 60_000, { like_count: 5 })),
      line(laterVersion(posts[4]!, -60_000)),
      line(posts[4]),
      line(posts[5]),
      line(posts[5]),
      line(laterVersion(posts[5]!, 1_000)),
      ...posts.slice(6).map(line),
      JSON.stringify(posts[1]), // a last line without its newline
    ].join("");
    const staged = expectSame(body, "posts", "ingest");
    expect(staged.rejects.map((r) => r.index)).toEqual([1, 2, 3, 5, 6, 0, 8, 10, 11]);
    expect(staged.staged!.posts!.copyData.length).toBeGreaterThan(1);
  });

  it("rejects every line of a table the role may not write, a line that is not JSON saying so", () => {
    const body = `${line(posts[0])}not json\n${line(posts[1])}`;
    const staged = expectSame(body, "watchAccounts", "ingest");
    expect(staged.rejects.map((r) => r.reason)).toEqual([
      "permission denied for table watch_accounts",
      expect.stringContaining("line 2 of the chunk is not JSON"),
      "permission denied for table watch_accounts",
    ]);
  });

  it("counts lines as the whole body split on newlines would", () => {
    for (const body of ["", "\n", "a", "a\n", "a\n\n", "a\nb", "a\n\nb\n", "\n\n"]) {
      const lines = body.split("\n");
      if (lines.at(-1) === "") lines.pop();
      expect(countLines(Buffer.from(body)), JSON.stringify(body)).toBe(lines.length);
      expectSame(body, "posts", "admin");
    }
  });

  it("decodes each line as the whole body would, broken UTF-8 included", () => {
    const valid = Buffer.from(line({ ...posts[0]!, body: "né ✓ 😀" }));
    const broken = Buffer.concat([Buffer.from('{"a": "x'), Buffer.from([0xe2, 0x82]), Buffer.from('"}\n')]);
    const body = Buffer.concat([valid, broken, Buffer.from([0xc3, 0x0a]), valid]);
    const before = wholeChunk(body.toString("utf8"), "posts", "admin");
    const now = stageBulkLines(body, "posts", "admin", extra);
    expect(now.rejects).toEqual(before.rejects);
    expect(now.staged!.posts!.count).toBe(before.rows.posts.length);
  });
});
