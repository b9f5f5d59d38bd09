// The cutover import's JSONL reader under hostile files, against the real
// app (production build, small body limit) over a real PostgreSQL.
//
// Line by line (fast-check): valid items mixed with truncated lines, wrong
// columns, missing and extra fields, wrong types, raw NUL bytes and escaped
// ones, invalid UTF-8, blank lines, JSON that is not an object, lines too
// large for the server and lines too large to read. The import finishes
// without throwing; every bad line is in the NDJSON reject log (with its line
// number) and nothing else is; every valid line is on the server exactly as
// the schema reads it, and no other row of the file is.
// (Manifests that disagree with their files: import-manifest.test.ts.)
import { existsSync } from "node:fs";
import path from "node:path";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  json,
  MAX_BATCH_BYTES,
  MAX_LINE_BYTES,
  NO_WAIT_POLICY,
  readRejectLog,
  rejectLogOf,
  SERVER_MAX_BODY,
  startImportTarget,
  text,
  writeExport,
  type ImportTarget,
} from "../../../test/support/export-fixture";
import { serverClientOver } from "../uplink/server-client";
import { diffFields, parseLocalItem } from "./compare";
import type { ImportResult } from "./import";

let target: ImportTarget;
let dir: string;

beforeAll(async () => {
  target = await startImportTarget("jsonl-fuzz");
  dir = target.dir;
}, 180_000);

afterAll(async () => {
  await target?.stop();
});

const runImport = (exportDir: string, extra?: Parameters<ImportTarget["run"]>[1]) => target.run(exportDir, extra);

async function serverPosts(ids: string[]): Promise<Map<string, Record<string, unknown>>> {
  const rows = ids.length === 0 ? [] : await target.api.rowsByKeys({ table: "posts", keys: ids });
  return new Map(rows.map((r) => [String(r.status_id), r]));
}

// ---- lines -------------------------------------------------------------------------

type Post = Record<string, unknown>;
type Line = { kind: string; bytes: Buffer; valid: boolean };

// Valid times are in the past: the server rejects times ahead of its clock.
const instant = fc
  .integer({ min: Date.parse("2020-01-01T00:00:00Z"), max: Date.parse("2026-01-01T00:00:00Z") })
  .map((ms) => new Date(ms).toISOString());
const basePost = fc.record({
  author_handle: fc.stringMatching(/^[A-Za-z0-9_]{1,15}$/),
  body: fc.string({ unit: "grapheme", maxLength: 60 }).filter((s) => !s.includes("\u0000")),
  created_at: instant,
  like_count: fc.option(fc.nat({ max: 1_000_000 }), { nil: null }),
  is_reply: fc.constantFrom(true, false, 0, 1),
  score: fc.option(
    fc.integer({ min: 0, max: 1000 }).map((n) => n / 1000),
    { nil: null },
  ),
  lang: fc.option(fc.constantFrom("en", "fr", "ja"), { nil: undefined }),
});

const MARK = "@@MARK@@";
/** The post's JSON with the body's marker replaced by raw bytes. */
const withRawBytes = (post: Post, bytes: number[]) => {
  const [before, after] = JSON.stringify({ ...post, body: `a${MARK}b` }).split(MARK) as [string, string];
  return Buffer.concat([text(before), Buffer.from(bytes), text(after)]);
};

const REQUIRED = ["status_id", "author_handle", "body", "created_at", "collected_at", "mode", "updated_at"];
/** Values the server refuses: what PostgreSQL cannot store or the contract forbids (X-format surprises are anomalies). */
const WRONG_VALUES: [string, unknown][] = [
  ["status_id", 12345],
  ["status_id", "12ab"],
  ["status_id", null],
  ["author_handle", "nul\u0000byte"],
  ["body", { nested: true }],
  ["body", "lone \ud800 surrogate"],
  ["created_at", "2026-02-30T10:00:00Z"],
  ["created_at", 1_700_000_000],
  ["like_count", 2 ** 31],
  ["like_count", "5"],
  ["score", "0.5"],
  ["is_reply", "yes"],
  ["updated_at", []],
  ["mode", null],
];

/** One line of tweets.jsonl, built around a post with its own status_id. */
const lineKind: fc.Arbitrary<(post: Post) => Line> = fc.oneof(
  { weight: 6, arbitrary: fc.constant((p: Post) => ({ kind: "valid", bytes: json(p), valid: true })) },
  fc.constant((p: Post) => ({ kind: "extra field", bytes: json({ ...p, extra_column: [1, "two"] }), valid: true })),
  fc.constant((p: Post) => ({ kind: "CRLF", bytes: Buffer.concat([json(p), text("\r")]), valid: true })),
  fc.constant((p: Post) => ({
    kind: "CR inside the line",
    bytes: text(`{\r${JSON.stringify(p).slice(1)}`),
    valid: true,
  })),
  fc.constant((p: Post) => ({
    kind: "large, within the server's limit",
    bytes: json({ ...p, raw_json: "r".repeat(MAX_BATCH_BYTES + 500) }),
    valid: true,
  })),
  fc.nat().map((n) => (p: Post) => {
    const full = json(p);
    return { kind: "truncated", bytes: full.subarray(0, 1 + (n % (full.length - 1))), valid: false };
  }),
  fc.constantFrom(...REQUIRED).map((field) => (p: Post) => {
    const copy = { ...p };
    delete copy[field];
    return { kind: `missing ${field}`, bytes: json(copy), valid: false };
  }),
  fc.constantFrom(...WRONG_VALUES).map(([field, value]) => (p: Post) => ({
    kind: `wrong ${field}`,
    bytes: json({ ...p, [field]: value }),
    valid: false,
  })),
  fc.constant((p: Post) => ({
    kind: "wrong columns (a report)",
    bytes: json({
      report_id: p.status_id,
      kind: "alert",
      title: "t",
      body_md: "b",
      created_at: p.created_at,
      updated_at: p.updated_at,
    }),
    valid: false,
  })),
  fc
    .constantFrom("null", "[]", "42", '"text"', "true", "{}")
    .map((s) => () => ({ kind: `not an object: ${s}`, bytes: text(s), valid: false })),
  fc
    .constantFrom("", "   ", "\t", "\r")
    .map((s) => () => ({ kind: `blank ${JSON.stringify(s)}`, bytes: text(s), valid: false })),
  fc.constant((p: Post) => ({ kind: "raw NUL", bytes: withRawBytes(p, [0]), valid: false })),
  fc.constant((p: Post) => ({ kind: "escaped NUL", bytes: json({ ...p, body: "a\u0000b" }), valid: false })),
  fc.constant((p: Post) => ({
    kind: "escaped lone surrogate",
    bytes: text(JSON.stringify({ ...p, body: "x" }).replace('"body":"x"', '"body":"\\ud800"')),
    valid: false,
  })),
  fc
    .constantFrom([0xff], [0xc3], [0xc0, 0xaf], [0xed, 0xa0, 0x80], [0xf4, 0x90, 0x80, 0x80], [0xe2, 0x82])
    .map((bad) => (p: Post) => ({
      kind: `invalid UTF-8 ${Buffer.from(bad).toString("hex")}`,
      bytes: withRawBytes(p, [...bad]),
      valid: false,
    })),
  fc.constant((p: Post) => ({
    kind: "byte order mark",
    bytes: Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), json(p)]),
    valid: false,
  })),
  fc.constant((p: Post) => ({
    kind: "too large for the server",
    bytes: json({ ...p, raw_json: "s".repeat(SERVER_MAX_BODY + 100) }),
    valid: false,
  })),
  fc.constant((p: Post) => ({
    kind: "too large to read (valid JSON)",
    bytes: json({ ...p, raw_json: "h".repeat(MAX_LINE_BYTES + 100) }),
    valid: false,
  })),
  fc.constant(() => ({
    kind: "too large to read (garbage)",
    bytes: Buffer.alloc(MAX_LINE_BYTES * 3, 0x7a),
    valid: false,
  })),
);

let runs = 0;
let nextId = 1_755_000_000_000_000_000n;

describe("JSONL lines under fuzzing", () => {
  it("rejects every bad line into the reject log, imports every valid one as it reads, and never throws", async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(fc.tuple(lineKind, basePost), { maxLength: 14 }), async (specs) => {
        const exportDir = path.join(dir, `lines-${++runs}`);
        const ids: string[] = [];
        const lines = specs.map(([make, base]) => {
          const id = String(nextId++);
          ids.push(id);
          return make({
            status_id: id,
            ...base,
            collected_at: base.created_at,
            mode: "priority",
            updated_at: base.created_at,
          });
        });
        writeExport(
          exportDir,
          lines.map((l) => l.bytes),
        );
        const describeLines = lines.map((l, i) => `${i + 1}: ${l.kind}`).join("\n");

        let result: ImportResult;
        try {
          result = await runImport(exportDir);
        } catch (error) {
          throw new Error(`import threw ${(error as Error).name}: ${(error as Error).message}\n${describeLines}`);
        }
        const invalid = lines.flatMap((l, i) => (l.valid ? [] : [i + 1]));
        const valid = lines.flatMap((l, i) => (l.valid ? [i] : []));
        expect(result.interrupted).toBe(false);
        expect(result.tables.posts, describeLines).toMatchObject({
          rows: lines.length,
          inserted: valid.length,
          rejected: invalid.length,
        });
        expect(result.rejected).toBe(invalid.length);

        const rejects = readRejectLog(exportDir);
        expect(
          rejects.map((r) => r.line).sort((a, b) => a - b),
          describeLines,
        ).toEqual(invalid);
        for (const r of rejects) {
          expect(r).toMatchObject({ table: "tweets", server_table: "posts", reason: expect.any(String) });
          expect(r.reason.length).toBeGreaterThan(5);
        }

        const stored = await serverPosts(ids);
        expect([...stored.keys()].sort(), describeLines).toEqual(valid.map((i) => ids[i]!).sort());
        for (const i of valid) {
          const expected = parseLocalItem("posts", JSON.parse(lines[i]!.bytes.toString("utf8")));
          expect(expected.ok).toBe(true);
          expect(diffFields(expected.item, stored.get(ids[i]!)!), `line ${i + 1} (${lines[i]!.kind})`).toEqual([]);
        }
      }),
      { numRuns: 30 },
    );
  });

  it("a dry run counts the same lines as rejected, and writes nothing", async () => {
    const exportDir = path.join(dir, "dry-run");
    const post = (id: bigint) => ({
      status_id: String(id),
      author_handle: "a",
      body: "b",
      created_at: "2026-01-01T00:00:00.000Z",
      collected_at: "2026-01-01T00:00:00.000Z",
      mode: "priority",
      updated_at: "2026-01-01T00:00:00.000Z",
    });
    const first = nextId;
    nextId += 10n;
    writeExport(exportDir, [
      json(post(first)),
      text("{not json"),
      withRawBytes(post(first + 1n), [0xff]),
      Buffer.alloc(MAX_LINE_BYTES + 1, 0x41),
      text(""),
      json(post(first + 2n)),
    ]);
    const batches = await target.t.db.ingestBatch.count();
    const result = await runImport(exportDir, { dryRun: true });
    expect(result.tables.posts).toMatchObject({ rows: 6, inserted: 2, rejected: 4 });
    expect(await target.t.db.ingestBatch.count()).toBe(batches);
    expect(existsSync(rejectLogOf(exportDir))).toBe(false);
  });

  it("an interrupted import with bad lines resumes without logging a reject twice", async () => {
    const exportDir = path.join(dir, "resume");
    const lines: Buffer[] = [];
    const bad = new Set<number>();
    for (let i = 0; i < 30; i++) {
      const id = String(nextId++);
      if (i % 3 === 1) {
        bad.add(i + 1);
        lines.push(
          i % 2
            ? text(`{"status_id":"${id}"`)
            : withRawBytes(
                {
                  status_id: id,
                  author_handle: "a",
                  created_at: "2026-01-01T00:00:00Z",
                  collected_at: "2026-01-01T00:00:00Z",
                  mode: "priority",
                  updated_at: "2026-01-01T00:00:00Z",
                },
                [0xfe],
              ),
        );
      } else {
        lines.push(
          json({
            status_id: id,
            author_handle: "a",
            body: `line ${i + 1}`,
            created_at: "2026-01-01T00:00:00Z",
            collected_at: "2026-01-01T00:00:00Z",
            mode: "priority",
            updated_at: "2026-01-01T00:00:00Z",
          }),
        );
      }
    }
    writeExport(exportDir, lines);
    const controller = new AbortController();
    let pushes = 0;
    const stopping = serverClientOver(
      {
        ...target.calls,
        pushBulk: async (chunk) => {
          const answer = await target.calls.pushBulk(chunk);
          if (++pushes === 2) controller.abort();
          return answer;
        },
      },
      NO_WAIT_POLICY,
    );
    const first = await runImport(exportDir, { api: stopping, signal: controller.signal, concurrency: 1 });
    expect(first.interrupted).toBe(true);
    const second = await runImport(exportDir);
    expect(second).toMatchObject({ resumed: true, interrupted: false });
    expect(second.tables.posts).toMatchObject({ rows: 30, inserted: 20, rejected: 10 });
    expect(readRejectLog(exportDir).map((r) => r.line)).toEqual([...bad]);
  });
});
