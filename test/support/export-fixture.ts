// Hand-made cutover exports for the import's tests: a posts file of any
// bytes with a manifest that agrees with it, the reject log read back, and a
// real app (production build, small body limit) on a fresh database with an
// admin key to import with.
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { syncTableNames, syncTables } from "../../src/shared/schemas/tables";
import { exportFileName, MANIFEST_FILE, type ExportManifest } from "../../src/collector/cutover/paths";
import { importExport, type ImportOptions, type ImportResult } from "../../src/collector/cutover/import";
import { createTrpcCalls, type ServerCalls } from "../../src/collector/uplink/server-calls";
import { serverClientOver, type ServerClient } from "../../src/collector/uplink/server-client";
import { createTestDatabase, type TestDatabase } from "./database";
import { principalFor } from "./fixtures";
import { startAppServer, type AppServer } from "./app-server";

/** The import's batch bound in these tests, and the server's body limit (twice that). */
export const MAX_BATCH_BYTES = 16 * 1024;
export const SERVER_MAX_BODY = 2 * MAX_BATCH_BYTES;
/** Lines longer than this are refused without being read into memory. */
export const MAX_LINE_BYTES = 4 * MAX_BATCH_BYTES;
/** Retries without waiting. */
export const NO_WAIT_POLICY = { maxAttempts: 2, random: () => 0, sleep: async () => {} };

export const sha256 = (bytes: Buffer) => createHash("sha256").update(bytes).digest("hex");
export const POSTS_FILE = exportFileName(syncTables.posts.sqlite);
export const json = (value: unknown) => Buffer.from(JSON.stringify(value), "utf8");
export const text = (s: string) => Buffer.from(s, "utf8");

export function post(statusId: string, body = "b"): Record<string, unknown> {
  return {
    status_id: statusId,
    author_handle: "a",
    body,
    created_at: "2026-01-01T00:00:00Z",
    collected_at: "2026-01-01T00:00:00Z",
    mode: "priority",
    updated_at: "2026-01-01T00:00:00Z",
  };
}

/** An export whose only non-empty file is tweets.jsonl, with a manifest that agrees with the files. */
export function writeExport(exportDir: string, postLines: Buffer[]): ExportManifest {
  mkdirSync(exportDir, { recursive: true });
  const files = syncTableNames.map((table) => {
    const { sqlite, server } = syncTables[table];
    const lines = table === "posts" ? postLines : [];
    const bytes = Buffer.concat(lines.flatMap((l) => [l, Buffer.from("\n")]));
    const file = exportFileName(sqlite);
    writeFileSync(path.join(exportDir, file), bytes);
    return { table, sqlite, server, file, rows: lines.length, bytes: bytes.length, sha256: sha256(bytes) };
  });
  const manifest: ExportManifest = {
    version: 1,
    format: "test",
    snapshot: "none",
    exportedAt: new Date().toISOString(),
    files,
  };
  writeFileSync(path.join(exportDir, MANIFEST_FILE), JSON.stringify(manifest, null, 2));
  return manifest;
}

/** Where the tests' imports put their reject log: a reject log's name, in the export's folder as data dir. */
export const rejectLogOf = (exportDir: string) => path.join(exportDir, "import_rejects_test.ndjson");

export type RejectEntry = {
  table: string;
  server_table: string;
  line: number;
  key: string | null;
  reason: string;
  row: unknown;
};

export function readRejectLog(exportDir: string): RejectEntry[] {
  const file = rejectLogOf(exportDir);
  if (!existsSync(file)) return [];
  const content = readFileSync(file, "utf8");
  return content === ""
    ? []
    : content
        .trimEnd()
        .split("\n")
        .map((l) => JSON.parse(l) as RejectEntry);
}

export type ImportTarget = {
  t: TestDatabase;
  app: AppServer;
  calls: ServerCalls;
  api: ServerClient;
  dir: string;
  /** An import of `exportDir` (its own data dir) in small batches, with these options over the defaults. */
  run(exportDir: string, extra?: Partial<ImportOptions>): Promise<ImportResult>;
  stop(): Promise<void>;
};

export async function startImportTarget(name: string): Promise<ImportTarget> {
  const t = await createTestDatabase();
  const admin = await principalFor(t.db, "admin");
  const app = await startAppServer({
    databaseUrl: t.url,
    env: { INGEST_MAX_BODY_BYTES: String(SERVER_MAX_BODY), RATE_LIMIT_PER_MINUTE: "100000" },
  });
  const calls = createTrpcCalls({ baseUrl: app.baseUrl, apiKey: admin.key });
  const api = serverClientOver(calls, NO_WAIT_POLICY);
  const dir = mkdtempSync(path.join(tmpdir(), `xm-${name}-`));
  return {
    t,
    app,
    calls,
    api,
    dir,
    run: (exportDir, extra = {}) =>
      importExport({
        exportDir,
        dataDir: exportDir,
        api,
        collector: name,
        label: path.basename(exportDir),
        newRejectLog: () => rejectLogOf(exportDir),
        batchSize: 4,
        maxBytes: MAX_BATCH_BYTES,
        maxLineBytes: MAX_LINE_BYTES,
        concurrency: 2,
        now: () => new Date(),
        ...extra,
      }),
    stop: async () => {
      await app.stop();
      await t.drop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
