// The cutover's local steps on a legacy file: snapshot with the backup API
// and its integrity check (including a copy corrupted after the backup),
// the streamed export and its manifest, the sample and the field comparison.
import { createHash } from "node:crypto";
import { closeSync, existsSync, mkdtempSync, openSync, readFileSync, rmSync, statSync, writeSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import Database from "better-sqlite3";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { rowToItem } from "../store/items";
import { diffFields, parseLocalItem, postViewToItem, wouldUpdate } from "./compare";
import { exportSnapshot, ExportExistsError } from "./export";
import { readManifest, verifyExport } from "./manifest";
import { buildLegacyDatabase } from "../../../test/support/legacy-fixture";
import { cutoverStamp, stampOfSnapshot } from "./paths";
import { snapshotDatabase, verifyIntegrity } from "./snapshot";
import { buildCli } from "../cli";
import { keyChunks } from "../uplink/server-client";
import { sampleIndexes } from "./validate";

let dir: string;
let live: string;
const now = () => new Date("2026-11-21T08:09:10.123Z");

beforeAll(() => {
  dir = mkdtempSync(path.join(tmpdir(), "xm-cutover-unit-"));
  live = path.join(dir, "x_monitor.db");
  buildLegacyDatabase(live, {
    tweets: 300,
    reports: 40,
    watchAccounts: 12,
    runs: 30,
    embeddings: 250,
    summaries: 6,
    shifts: 4,
  });
});

afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Overwrites one page in the middle of the file with garbage, as a failing disk would. */
function corruptMiddlePage(file: string): void {
  const pageSize = 4096;
  const pages = statSync(file).size / pageSize;
  const fd = openSync(file, "r+");
  try {
    const garbage = Buffer.alloc(pageSize);
    for (let i = 0; i < pageSize; i++) garbage[i] = (i * 131 + 7) % 256;
    writeSync(fd, garbage, 0, pageSize, Math.floor(pages / 2) * pageSize);
  } finally {
    closeSync(fd);
  }
}

describe("snapshot", () => {
  it("copies with the online backup API into x_monitor.cutover.<stamp>.db and passes integrity_check", async () => {
    const progress: number[] = [];
    const snap = await snapshotDatabase({ source: live, dataDir: dir, now, onProgress: (done) => progress.push(done) });
    expect(path.basename(snap.path)).toBe("x_monitor.cutover.20261121_080910.db");
    expect(stampOfSnapshot(snap.path)).toBe(cutoverStamp(now()));
    expect(progress.at(-1)).toBe(snap.pages);
    expect(verifyIntegrity(snap.path)).toEqual({ ok: true, lines: ["ok"] });
    const copy = new Database(snap.path, { readonly: true });
    expect(copy.prepare("select count(*) from tweets").pluck().get()).toBe(300);
    expect(copy.pragma("journal_mode", { simple: true })).toBe("delete");
    copy.close();
    // A second snapshot in the same second does not overwrite the first.
    const again = await snapshotDatabase({ source: live, dataDir: dir, now });
    expect(path.basename(again.path)).toBe("x_monitor.cutover.20261121_080910_2.db");
  });

  it("reports a copy corrupted after the backup as not ok, with SQLite's words", async () => {
    const snap = await snapshotDatabase({ source: live, dataDir: path.join(dir, "corrupt"), now });
    corruptMiddlePage(snap.path);
    const result = verifyIntegrity(snap.path);
    expect(result.ok).toBe(false);
    expect(result.lines.join(" ")).toMatch(/page|malformed|corrupt|btree|tree/i);
  });

  it("refuses a source that does not exist", async () => {
    await expect(snapshotDatabase({ source: path.join(dir, "nope.db"), dataDir: dir, now })).rejects.toThrow(
      /cannot open the live database/,
    );
  });
});

describe("export", () => {
  it("writes one JSONL file of ingest items per table and a manifest with row counts and SHA-256", async () => {
    const snap = await snapshotDatabase({ source: live, dataDir: path.join(dir, "export"), now });
    const outDir = path.join(dir, "export", "export_cutover_x");
    const seen: string[] = [];
    const manifest = await exportSnapshot({
      snapshot: snap.path,
      outDir,
      now,
      onProgress: (p) => p.done && seen.push(p.sqlite),
    });
    expect(manifest.files.map((f) => [f.file, f.rows])).toEqual([
      ["tweets.jsonl", 300],
      ["reports.jsonl", 40],
      ["runs.jsonl", 30],
      ["watch_accounts.jsonl", 12],
      ["tweet_embeddings.jsonl", 250],
      ["window_summaries.jsonl", 6],
      ["narrative_shifts.jsonl", 4],
    ]);
    expect(seen).toHaveLength(7);
    for (const f of manifest.files) {
      const bytes = readFileSync(path.join(outDir, f.file));
      expect(createHash("sha256").update(bytes).digest("hex")).toBe(f.sha256);
      expect(bytes.length).toBe(f.bytes);
    }
    expect(readManifest(outDir)).toEqual(manifest);
    await expect(verifyExport(outDir, manifest)).resolves.toBeUndefined();

    // Lines are the store's own conversion of the rows (rowToItem), in key order.
    const db = new Database(snap.path, { readonly: true });
    const rows = db.prepare("select * from tweet_embeddings order by status_id").all() as Record<string, unknown>[];
    db.close();
    const lines = readFileSync(path.join(outDir, "tweet_embeddings.jsonl"), "utf8").trimEnd().split("\n");
    expect(JSON.parse(lines[3]!)).toEqual(rowToItem("embeddings", rows[3]!));
    expect(parseLocalItem("embeddings", JSON.parse(lines[3]!)).ok).toBe(true);
    const tweet = JSON.parse(readFileSync(path.join(outDir, "tweets.jsonl"), "utf8").split("\n")[0]!) as Record<
      string,
      unknown
    >;
    expect(typeof tweet.is_reply).toBe("boolean");

    await expect(exportSnapshot({ snapshot: snap.path, outDir, now })).rejects.toBeInstanceOf(ExportExistsError);
  });

  it("an export changed after the fact fails verification", async () => {
    const snap = await snapshotDatabase({ source: live, dataDir: path.join(dir, "tamper"), now });
    const outDir = path.join(dir, "tamper", "out");
    const manifest = await exportSnapshot({ snapshot: snap.path, outDir, now });
    const file = path.join(outDir, "reports.jsonl");
    const text = readFileSync(file, "utf8");
    const fd = openSync(file, "w");
    writeSync(fd, text.replace("Digest 1", "Digest 9"));
    closeSync(fd);
    await expect(verifyExport(outDir, manifest)).rejects.toThrow(
      /reports\.jsonl: SHA-256 .* differs from the manifest/,
    );
    expect(existsSync(path.join(outDir, "manifest.json"))).toBe(true);
  });
});

describe("sample and comparison", () => {
  it("samples distinct indexes, the same for the same seed", () => {
    const a = sampleIndexes(707, 50, "cutover:posts");
    expect(a).toHaveLength(50);
    expect(new Set(a).size).toBe(50);
    expect(a.every((i) => i >= 0 && i < 707)).toBe(true);
    expect(sampleIndexes(707, 50, "cutover:posts")).toEqual(a);
    expect(sampleIndexes(707, 50, "other")).not.toEqual(a);
    expect(sampleIndexes(7, 50, "x")).toEqual([0, 1, 2, 3, 4, 5, 6]);
    expect(sampleIndexes(0, 50, "x")).toEqual([]);
  });

  it("compares instants, booleans and arrays after normalising, and names the fields that differ", () => {
    const local = parseLocalItem("reports", {
      report_id: "r1",
      run_id: null,
      kind: "alert",
      title: "T",
      body_md: "b",
      status_ids: ["1", "2"],
      created_at: "2026-02-25T19:39:12Z",
      updated_at: "2026-02-25T19:39:12Z",
    });
    expect(local.ok).toBe(true);
    const server = {
      report_id: "r1",
      run_id: null,
      kind: "alert",
      title: "T",
      body_md: "b",
      status_ids: ["1", "2"],
      created_at: "2026-02-25T19:39:12.000Z",
      updated_at: "2026-02-25T19:39:12.000Z",
    };
    expect(diffFields(local.item, server)).toEqual([]);
    expect(diffFields(local.item, { ...server, title: "U", status_ids: ["1"] }).map((d) => d.field)).toEqual([
      "title",
      "status_ids",
    ]);
    expect(wouldUpdate(local.item, { ...server, title: "U" })).toBe(true);
    expect(wouldUpdate(local.item, { ...server, title: "U", updated_at: "2026-02-26T00:00:00.000Z" })).toBe(false);
    expect(wouldUpdate(local.item, server)).toBe(false);

    const post = parseLocalItem("posts", {
      status_id: "5",
      author_handle: "a",
      body: "x",
      created_at: "2026-02-25T19:39:12Z",
      collected_at: "2026-02-25T19:39:12Z",
      mode: "priority",
      is_reply: 1,
      is_repost: 0,
      updated_at: "2026-02-25T19:39:12Z",
    });
    const view = {
      status_id: "5",
      author: { handle: "a", id: null },
      body: "x",
      lang: null,
      url: null,
      created_at: "2026-02-25T19:39:12.000Z",
      collected_at: "2026-02-25T19:39:12.000Z",
      mode: "priority",
      run_id: null,
      metrics: { like_count: null, repost_count: null, reply_count: null, quote_count: null, view_count: null },
      is_reply: true,
      is_repost: false,
      conversation_id: null,
      score: null,
      raw_json: null,
      source_updated_at: "2026-02-25T19:39:12.000Z",
    };
    expect(diffFields(post.item, postViewToItem(view))).toEqual([]);
    expect(diffFields(post.item, postViewToItem({ ...view, is_reply: false }))).toEqual([
      { field: "is_reply", local: true, server: false },
    ]);
    expect(parseLocalItem("posts", { status_id: "x" })).toMatchObject({
      ok: false,
      reason: expect.stringMatching(/^invalid posts item: /),
    });
  });
});

describe("rowsByKeys chunks", () => {
  it("splits keys into calls of at most the server's 1,000-key limit, in order", () => {
    const ids = Array.from({ length: 2500 }, (_, i) => String(1_890_000_000_000_000_000n + BigInt(i)));
    const chunks = keyChunks(ids);
    expect(chunks.map((c) => c.length)).toEqual([1000, 1000, 500]);
    expect(chunks.flat()).toEqual(ids);
    expect(keyChunks(["a", "b", "c"], 2)).toEqual([["a", "b"], ["c"]]);
    expect(keyChunks([])).toEqual([]);
  });
});

describe("cli", () => {
  it("has one cutover subcommand per step, and all", () => {
    const cutover = buildCli().commands.find((c) => c.name() === "cutover")!;
    expect(cutover.commands.map((c) => c.name())).toEqual([
      "freeze",
      "snapshot",
      "export",
      "import",
      "validate",
      "restore",
      "all",
    ]);
    const validate = cutover.commands.find((c) => c.name() === "validate")!;
    expect(validate.options.map((o) => o.long)).toEqual([
      "--snapshot",
      "--sample",
      "--seed",
      "--ignore-run",
      "--report",
      "--post-cleanup",
      "--recent",
    ]);
    const importCommand = cutover.commands.find((c) => c.name() === "import")!;
    expect(importCommand.options.map((o) => o.long)).toContain("--dry-run");
  });
});
