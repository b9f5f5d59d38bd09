// The cutover import's input checks, against the real app (production
// build) over a real PostgreSQL: a manifest that disagrees with the files
// (counts, SHA-256, sizes, missing or unknown entries, names outside the
// export) or is not a manifest at all, files cut short and a damaged
// checkpoint are refused up front with a clear message before anything is
// sent.
import { createHash } from "node:crypto";
import { appendFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, truncateSync, unlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { syncTableNames, syncTables } from "~/shared/schemas/tables";
import { createTestDatabase, type TestDatabase } from "../../../test/support/database";
import { principalFor } from "../../../test/support/fixtures";
import { startAppServer, type AppServer } from "../../../test/support/app-server";
import { createIngestApi, type IngestApi } from "../ingest/ingest-api";
import { ExportVerificationError, importExport, type ImportOptions, type ImportResult } from "./import";
import { CHECKPOINT_FILE, exportFileName, MANIFEST_FILE, type ExportManifest } from "./paths";

/** The import's batch bound, and the server's body limit (twice that). */
const MAX_BATCH_BYTES = 16 * 1024;
const SERVER_MAX_BODY = 2 * MAX_BATCH_BYTES;

let t: TestDatabase;
let app: AppServer;
let api: IngestApi;
let dir: string;

beforeAll(async () => {
  t = await createTestDatabase();
  const admin = await principalFor(t.db, "admin");
  app = await startAppServer({ databaseUrl: t.url, env: { INGEST_MAX_BODY_BYTES: String(SERVER_MAX_BODY), RATE_LIMIT_PER_MINUTE: "100000" } });
  api = createIngestApi({ baseUrl: app.baseUrl, apiKey: admin.key });
  dir = mkdtempSync(path.join(tmpdir(), "xm-jsonl-fuzz-"));
}, 180_000);

afterAll(async () => {
  await app?.stop();
  await t?.drop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

// ---- exports ---------------------------------------------------------------------

const sha256 = (bytes: Buffer) => createHash("sha256").update(bytes).digest("hex");
const POSTS_FILE = exportFileName(syncTables.posts.sqlite);

/** An export whose only non-empty file is tweets.jsonl, with a manifest that agrees with the files. */
function writeExport(exportDir: string, postLines: Buffer[]): ExportManifest {
  mkdirSync(exportDir, { recursive: true });
  const files = syncTableNames.map((table) => {
    const { sqlite, server } = syncTables[table];
    const lines = table === "posts" ? postLines : [];
    const bytes = Buffer.concat(lines.flatMap((l) => [l, Buffer.from("\n")]));
    const file = exportFileName(sqlite);
    writeFileSync(path.join(exportDir, file), bytes);
    return { table, sqlite, server, file, rows: lines.length, bytes: bytes.length, sha256: sha256(bytes) };
  });
  const manifest: ExportManifest = { version: 1, format: "test", snapshot: "none", exportedAt: new Date().toISOString(), files };
  writeFileSync(path.join(exportDir, MANIFEST_FILE), JSON.stringify(manifest, null, 2));
  return manifest;
}

const rejectLogOf = (exportDir: string) => path.join(exportDir, "rejects.ndjson");

function runImport(exportDir: string, extra: Partial<ImportOptions> = {}): Promise<ImportResult> {
  return importExport({
    exportDir,
    api,
    collector: "fuzz",
    label: path.basename(exportDir),
    newRejectLog: () => rejectLogOf(exportDir),
    batchSize: 4,
    maxBytes: MAX_BATCH_BYTES,
    concurrency: 2,
    retry: { maxAttempts: 2, random: () => 0, sleep: async () => {} },
    now: () => new Date(),
    ...extra,
  });
}

const json = (value: unknown) => Buffer.from(JSON.stringify(value), "utf8");
let nextId = 1_755_000_000_000_000_000n;

// ---- manifests and files that disagree ---------------------------------------------

type Damage = { name: string; apply: (exportDir: string, manifest: ExportManifest) => void; message: RegExp };
const rewrite = (exportDir: string, manifest: unknown) => writeFileSync(path.join(exportDir, MANIFEST_FILE), typeof manifest === "string" ? manifest : JSON.stringify(manifest));
const postsEntry = (m: ExportManifest) => m.files.find((f) => f.table === "posts")!;

const DAMAGES: Damage[] = [
  { name: "a row count one too high", apply: (d, m) => rewrite(d, { ...m, files: m.files.map((f) => (f.table === "posts" ? { ...f, rows: f.rows + 1 } : f)) }), message: /tweets\.jsonl: 3 rows, the manifest says 4/ },
  { name: "a row count one too low", apply: (d, m) => rewrite(d, { ...m, files: m.files.map((f) => (f.table === "posts" ? { ...f, rows: f.rows - 1 } : f)) }), message: /tweets\.jsonl: 3 rows, the manifest says 2/ },
  { name: "another file's SHA-256", apply: (d, m) => rewrite(d, { ...m, files: m.files.map((f) => (f.table === "posts" ? { ...f, sha256: m.files[1]!.sha256 } : f)) }), message: /tweets\.jsonl: SHA-256 \w+ differs from the manifest's/ },
  { name: "a wrong size", apply: (d, m) => rewrite(d, { ...m, files: m.files.map((f) => (f.table === "posts" ? { ...f, bytes: f.bytes + 7 } : f)) }), message: /tweets\.jsonl: \d+ bytes, the manifest says \d+/ },
  { name: "a line changed after the export", apply: (d) => writeFileSync(path.join(d, POSTS_FILE), readFileSync(path.join(d, POSTS_FILE), "utf8").replace('"body":"one"', '"body":"0ne"')), message: /tweets\.jsonl: SHA-256 .* differs from the manifest's/ },
  { name: "a line appended after the export", apply: (d) => appendFileSync(path.join(d, POSTS_FILE), '{"status_id":"1"}\n'), message: /tweets\.jsonl: SHA-256 .* differs/ },
  { name: "the file cut short mid-line", apply: (d) => truncateSync(path.join(d, POSTS_FILE), 50), message: /tweets\.jsonl: SHA-256 .* differs/ },
  {
    name: "the file cut short mid-line, with a manifest made to match",
    apply: (d, m) => {
      truncateSync(path.join(d, POSTS_FILE), 50);
      const bytes = readFileSync(path.join(d, POSTS_FILE));
      rewrite(d, { ...m, files: m.files.map((f) => (f.table === "posts" ? { ...f, rows: 0, bytes: bytes.length, sha256: sha256(bytes) } : f)) });
    },
    message: /tweets\.jsonl ends with 50 bytes after its last newline: the file was cut short/,
  },
  { name: "the file missing", apply: (d) => unlinkSync(path.join(d, POSTS_FILE)), message: /tweets\.jsonl is missing from/ },
  { name: "a table left out of the manifest", apply: (d, m) => rewrite(d, { ...m, files: m.files.filter((f) => f.table !== "posts") }), message: /manifest\.json lists no file for posts/ },
  { name: "a table listed twice", apply: (d, m) => rewrite(d, { ...m, files: [...m.files, postsEntry(m)] }), message: /manifest\.json lists posts twice/ },
  { name: "an unknown table", apply: (d, m) => rewrite(d, { ...m, files: [...m.files, { ...postsEntry(m), table: "secrets" }] }), message: /manifest\.json is not an export manifest: files\.7\.table/ },
  { name: "a file outside the export", apply: (d, m) => rewrite(d, { ...m, files: m.files.map((f) => (f.table === "posts" ? { ...f, file: "../outside/tweets.jsonl" } : f)) }), message: /manifest\.json names \.\.\/outside\/tweets\.jsonl for posts; an export names it tweets\.jsonl/ },
  { name: "another table's file", apply: (d, m) => rewrite(d, { ...m, files: m.files.map((f) => (f.table === "posts" ? { ...f, file: "reports.jsonl" } : f)) }), message: /names reports\.jsonl for posts/ },
  { name: "a negative row count", apply: (d, m) => rewrite(d, { ...m, files: m.files.map((f) => (f.table === "posts" ? { ...f, rows: -3 } : f)) }), message: /not an export manifest: files\.0\.rows/ },
  { name: "rows as a string", apply: (d, m) => rewrite(d, { ...m, files: m.files.map((f) => (f.table === "posts" ? { ...f, rows: "3" } : f)) }), message: /not an export manifest: files\.0\.rows/ },
  { name: "another version", apply: (d, m) => rewrite(d, { ...m, version: 2 }), message: /not an export manifest: version/ },
  { name: "files not a list", apply: (d, m) => rewrite(d, { ...m, files: { posts: postsEntry(m) } }), message: /not an export manifest: files/ },
  { name: "a manifest cut short", apply: (d) => truncateSync(path.join(d, MANIFEST_FILE), 40), message: /manifest\.json is not valid JSON/ },
  { name: "an empty manifest", apply: (d) => rewrite(d, ""), message: /manifest\.json is not valid JSON/ },
  { name: "a manifest that is an array", apply: (d) => rewrite(d, "[]"), message: /not an export manifest/ },
  { name: "no manifest", apply: (d) => unlinkSync(path.join(d, MANIFEST_FILE)), message: /has no manifest\.json/ },
];

describe("a manifest that disagrees with the files", () => {
  it.each(DAMAGES.map((d) => [d.name, d] as const))("refuses %s up front, sending nothing", async (_name, damage) => {
    const exportDir = path.join(dir, `damaged-${DAMAGES.indexOf(damage)}`);
    const post = (body: string) => ({ status_id: String(nextId++), author_handle: "a", body, created_at: "2026-01-01T00:00:00Z", collected_at: "2026-01-01T00:00:00Z", mode: "priority", updated_at: "2026-01-01T00:00:00Z" });
    const manifest = writeExport(exportDir, [json(post("one")), json(post("two")), json(post("three"))]);
    damage.apply(exportDir, manifest);
    const batches = await t.db.ingestBatch.count();
    const outcome = await runImport(exportDir).then(
      () => null,
      (error: unknown) => error,
    );
    expect(outcome, "the import went ahead").toBeInstanceOf(ExportVerificationError);
    expect((outcome as Error).message).toMatch(damage.message);
    expect(await t.db.ingestBatch.count()).toBe(batches);
    expect(existsSync(path.join(exportDir, CHECKPOINT_FILE))).toBe(false);
    expect(existsSync(rejectLogOf(exportDir))).toBe(false);
  });

  it("refuses a damaged checkpoint with a clear message, sending nothing", async () => {
    for (const [i, content] of ['{"version":1,"passes":[{"pass":1', "null", '{"version":1}'].entries()) {
      const exportDir = path.join(dir, `checkpoint-${i}`);
      writeExport(exportDir, [json({ status_id: String(nextId++), author_handle: "a", body: "b", created_at: "2026-01-01T00:00:00Z", collected_at: "2026-01-01T00:00:00Z", mode: "priority", updated_at: "2026-01-01T00:00:00Z" })]);
      writeFileSync(path.join(exportDir, CHECKPOINT_FILE), content);
      const batches = await t.db.ingestBatch.count();
      await expect(runImport(exportDir)).rejects.toThrow(/import\.checkpoint\.json (is damaged|is not an import checkpoint).*remove it to import again as a new pass/);
      expect(await t.db.ingestBatch.count()).toBe(batches);
    }
  });

  it("imports an export with every file empty", async () => {
    const exportDir = path.join(dir, "empty");
    writeExport(exportDir, []);
    const result = await runImport(exportDir);
    expect(result).toMatchObject({ rejected: 0, interrupted: false });
    for (const table of syncTableNames) expect(result.tables[table]).toMatchObject({ rows: 0, inserted: 0, rejected: 0 });
  });
});
