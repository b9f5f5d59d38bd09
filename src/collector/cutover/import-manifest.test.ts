// The cutover import refuses, before anything is sent, an export whose
// manifest disagrees with its files (counts, SHA-256, sizes, missing or
// unknown entries, names outside the export), or is not a manifest at all,
// files cut short, and a damaged checkpoint; an export of empty files imports.
// Against the real app over a real PostgreSQL.
import { appendFileSync, existsSync, readFileSync, truncateSync, unlinkSync, writeFileSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { syncTableNames } from "~/shared/schemas/tables";
import {
  json,
  post,
  POSTS_FILE,
  rejectLogOf,
  sha256,
  startImportTarget,
  writeExport,
  type ImportTarget,
} from "../../../test/support/export-fixture";
import { ExportVerificationError } from "./manifest";
import { CHECKPOINT_FILE, MANIFEST_FILE, type ExportManifest } from "./paths";

let target: ImportTarget;
let nextId = 1_756_000_000_000_000_000n;

beforeAll(async () => {
  target = await startImportTarget("import-manifest");
}, 180_000);

afterAll(async () => {
  await target?.stop();
});

const runImport = (exportDir: string) => target.run(exportDir);

type Damage = { name: string; apply: (exportDir: string, manifest: ExportManifest) => void; message: RegExp };
const rewrite = (exportDir: string, manifest: unknown) =>
  writeFileSync(
    path.join(exportDir, MANIFEST_FILE),
    typeof manifest === "string" ? manifest : JSON.stringify(manifest),
  );
const postsEntry = (m: ExportManifest) => m.files.find((f) => f.table === "posts")!;

const DAMAGES: Damage[] = [
  {
    name: "a row count one too high",
    apply: (d, m) =>
      rewrite(d, { ...m, files: m.files.map((f) => (f.table === "posts" ? { ...f, rows: f.rows + 1 } : f)) }),
    message: /tweets\.jsonl: 3 rows, the manifest says 4/,
  },
  {
    name: "a row count one too low",
    apply: (d, m) =>
      rewrite(d, { ...m, files: m.files.map((f) => (f.table === "posts" ? { ...f, rows: f.rows - 1 } : f)) }),
    message: /tweets\.jsonl: 3 rows, the manifest says 2/,
  },
  {
    name: "another file's SHA-256",
    apply: (d, m) =>
      rewrite(d, { ...m, files: m.files.map((f) => (f.table === "posts" ? { ...f, sha256: m.files[1]!.sha256 } : f)) }),
    message: /tweets\.jsonl: SHA-256 \w+ differs from the manifest's/,
  },
  {
    name: "a wrong size",
    apply: (d, m) =>
      rewrite(d, { ...m, files: m.files.map((f) => (f.table === "posts" ? { ...f, bytes: f.bytes + 7 } : f)) }),
    message: /tweets\.jsonl: \d+ bytes, the manifest says \d+/,
  },
  {
    name: "a line changed after the export",
    apply: (d) =>
      writeFileSync(
        path.join(d, POSTS_FILE),
        readFileSync(path.join(d, POSTS_FILE), "utf8").replace('"body":"one"', '"body":"0ne"'),
      ),
    message: /tweets\.jsonl: SHA-256 .* differs from the manifest's/,
  },
  {
    name: "a line appended after the export",
    apply: (d) => appendFileSync(path.join(d, POSTS_FILE), '{"status_id":"1"}\n'),
    message: /tweets\.jsonl: SHA-256 .* differs/,
  },
  {
    name: "the file cut short mid-line",
    apply: (d) => truncateSync(path.join(d, POSTS_FILE), 50),
    message: /tweets\.jsonl: SHA-256 .* differs/,
  },
  {
    name: "the file cut short mid-line, with a manifest made to match",
    apply: (d, m) => {
      truncateSync(path.join(d, POSTS_FILE), 50);
      const bytes = readFileSync(path.join(d, POSTS_FILE));
      rewrite(d, {
        ...m,
        files: m.files.map((f) =>
          f.table === "posts" ? { ...f, rows: 0, bytes: bytes.length, sha256: sha256(bytes) } : f,
        ),
      });
    },
    message: /tweets\.jsonl ends with 50 bytes after its last newline: the file was cut short/,
  },
  {
    name: "the file missing",
    apply: (d) => unlinkSync(path.join(d, POSTS_FILE)),
    message: /tweets\.jsonl is missing from/,
  },
  {
    name: "a table left out of the manifest",
    apply: (d, m) => rewrite(d, { ...m, files: m.files.filter((f) => f.table !== "posts") }),
    message: /manifest\.json lists no file for posts/,
  },
  {
    name: "a table listed twice",
    apply: (d, m) => rewrite(d, { ...m, files: [...m.files, postsEntry(m)] }),
    message: /manifest\.json lists posts twice/,
  },
  {
    name: "an unknown table",
    apply: (d, m) => rewrite(d, { ...m, files: [...m.files, { ...postsEntry(m), table: "secrets" }] }),
    message: /manifest\.json is not an export manifest: files\.7\.table/,
  },
  {
    name: "a file outside the export",
    apply: (d, m) =>
      rewrite(d, {
        ...m,
        files: m.files.map((f) => (f.table === "posts" ? { ...f, file: "../outside/tweets.jsonl" } : f)),
      }),
    message: /manifest\.json names \.\.\/outside\/tweets\.jsonl for posts; an export names it tweets\.jsonl/,
  },
  {
    name: "another table's file",
    apply: (d, m) =>
      rewrite(d, { ...m, files: m.files.map((f) => (f.table === "posts" ? { ...f, file: "reports.jsonl" } : f)) }),
    message: /names reports\.jsonl for posts/,
  },
  {
    name: "a negative row count",
    apply: (d, m) => rewrite(d, { ...m, files: m.files.map((f) => (f.table === "posts" ? { ...f, rows: -3 } : f)) }),
    message: /not an export manifest: files\.0\.rows/,
  },
  {
    name: "rows as a string",
    apply: (d, m) => rewrite(d, { ...m, files: m.files.map((f) => (f.table === "posts" ? { ...f, rows: "3" } : f)) }),
    message: /not an export manifest: files\.0\.rows/,
  },
  {
    name: "another version",
    apply: (d, m) => rewrite(d, { ...m, version: 2 }),
    message: /not an export manifest: version/,
  },
  {
    name: "files not a list",
    apply: (d, m) => rewrite(d, { ...m, files: { posts: postsEntry(m) } }),
    message: /not an export manifest: files/,
  },
  {
    name: "a manifest cut short",
    apply: (d) => truncateSync(path.join(d, MANIFEST_FILE), 40),
    message: /manifest\.json is not valid JSON/,
  },
  { name: "an empty manifest", apply: (d) => rewrite(d, ""), message: /manifest\.json is not valid JSON/ },
  { name: "a manifest that is an array", apply: (d) => rewrite(d, "[]"), message: /not an export manifest/ },
  { name: "no manifest", apply: (d) => unlinkSync(path.join(d, MANIFEST_FILE)), message: /has no manifest\.json/ },
];

describe("a manifest that disagrees with the files", () => {
  it.each(DAMAGES.map((d) => [d.name, d] as const))("refuses %s up front, sending nothing", async (_name, damage) => {
    const exportDir = path.join(target.dir, `damaged-${DAMAGES.indexOf(damage)}`);
    const manifest = writeExport(
      exportDir,
      ["one", "two", "three"].map((body) => json(post(String(nextId++), body))),
    );
    damage.apply(exportDir, manifest);
    const batches = await target.t.db.ingestBatch.count();
    const outcome = await runImport(exportDir).then(
      () => null,
      (error: unknown) => error,
    );
    expect(outcome, "the import went ahead").toBeInstanceOf(ExportVerificationError);
    expect((outcome as Error).message).toMatch(damage.message);
    expect(await target.t.db.ingestBatch.count()).toBe(batches);
    expect(existsSync(path.join(exportDir, CHECKPOINT_FILE))).toBe(false);
    expect(existsSync(rejectLogOf(exportDir))).toBe(false);
  });

  it("refuses a damaged checkpoint with a clear message, sending nothing", async () => {
    for (const [i, content] of ['{"version":1,"passes":[{"pass":1', "null", '{"version":1}'].entries()) {
      const exportDir = path.join(target.dir, `checkpoint-${i}`);
      writeExport(exportDir, [json(post(String(nextId++)))]);
      writeFileSync(path.join(exportDir, CHECKPOINT_FILE), content);
      const batches = await target.t.db.ingestBatch.count();
      await expect(runImport(exportDir)).rejects.toThrow(
        /import\.checkpoint\.json (is damaged|is not an import checkpoint).*remove it to import again as a new pass/,
      );
      expect(await target.t.db.ingestBatch.count()).toBe(batches);
    }
  });

  it("imports an export with every file empty", async () => {
    const exportDir = path.join(target.dir, "empty");
    writeExport(exportDir, []);
    const result = await runImport(exportDir);
    expect(result).toMatchObject({ rejected: 0, interrupted: false });
    for (const table of syncTableNames)
      expect(result.tables[table]).toMatchObject({ rows: 0, inserted: 0, rejected: 0 });
  });
});
