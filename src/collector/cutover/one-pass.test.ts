// The one pass (export written as the import sends it) against a recording
// server: the export it leaves is byte for byte `cutover export`'s, also
// after a Ctrl-C and after a crash that lost the last checkpoint writes, and
// every row reaches the server exactly once. The real app and real
// processes: test/collector/cutover-interrupt.test.ts.
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, expect, it, vi } from "vitest";
import { syncTableNames, syncTables, type SyncTable } from "~/shared/schemas/tables";
import { buildLegacyDatabase } from "../../../test/support/legacy-fixture";
import { fakeServerClient } from "../../../test/support/fake-server-client";
import type { BulkChunk } from "../uplink/server-client";
import { zeroTableResults } from "../uplink/totals";
import { exportSnapshot } from "./export";
import { readManifest, verifyExport } from "./manifest";
import { BULK_CHUNK_BYTES } from "./import";
import { exportAndImport, unfinishedOnePass, type OnePassOptions } from "./one-pass";
import { CHECKPOINT_FILE, MANIFEST_FILE } from "./paths";

let dir: string;
let snapshot: string;
const now = () => new Date("2026-12-01T10:00:00Z");
const COUNTS = { tweets: 900, reports: 60, watchAccounts: 12, runs: 40, embeddings: 300, summaries: 5, shifts: 3 };

beforeAll(() => {
  dir = mkdtempSync(path.join(tmpdir(), "xm-one-pass-"));
  snapshot = path.join(dir, "x_monitor.cutover.20261201_100000.db");
  buildLegacyDatabase(snapshot, COUNTS, { seed: 5 });
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** The server's side: a chunk key answered once is answered from its record; each row key counts once as inserted. */
function recordingServer() {
  const answers = new Map<string, { tables: ReturnType<typeof zeroTableResults> }>();
  const stored = new Map<SyncTable, Set<string>>(syncTableNames.map((t) => [t, new Set()]));
  let calls = 0;
  let onCall: (n: number) => void = () => {};
  const api = fakeServerClient({
    access: async () => ({ role: "admin", keyPrefix: "xm_test", collector: null }) as never,
    pushBulk: async ({ envelope, ndjson }: BulkChunk) => {
      onCall(++calls);
      const seen = answers.get(envelope.idempotencyKey);
      const base = { batchId: "b", idempotencyKey: envelope.idempotencyKey, status: "succeeded" as const };
      if (seen) return { ...base, replayed: true, receivedAt: "", tables: seen.tables, rejects: [] };
      const tables = zeroTableResults();
      const { table } = envelope;
      for (const line of ndjson.toString().slice(0, -1).split("\n")) {
        const key = String((JSON.parse(line) as Record<string, unknown>)[syncTables[table].key]);
        if (stored.get(table)!.has(key)) tables[table].unchanged++;
        else {
          stored.get(table)!.add(key);
          tables[table].inserted++;
        }
      }
      answers.set(envelope.idempotencyKey, { tables });
      return { ...base, replayed: false, receivedAt: "", tables, rejects: [] };
    },
  });
  return { api, stored, setOnCall: (f: (n: number) => void) => (onCall = f) };
}

function options(exportDir: string, api: OnePassOptions["api"], signal?: AbortSignal): OnePassOptions {
  return {
    snapshot,
    exportDir,
    dataDir: exportDir,
    api,
    collector: "one-pass-box",
    label: "one-pass",
    newRejectLog: () => path.join(exportDir, "import_rejects_test.ndjson"),
    batchSize: 50,
    concurrency: 2,
    now,
    ...(signal ? { signal } : {}),
  };
}

/** Every export file and the manifest, as bytes. */
const exportBytes = (exportDir: string) =>
  Object.fromEntries(
    readdirSync(exportDir)
      .filter((f) => f.endsWith(".jsonl") || f === MANIFEST_FILE)
      .map((f) => [f, readFileSync(path.join(exportDir, f)).toString("base64")]),
  );

let reference: Record<string, string>;

it("leaves the export `cutover export` writes for the same snapshot, byte for byte, and sends every row once", async () => {
  const referenceDir = path.join(dir, "reference");
  await exportSnapshot({ snapshot, outDir: referenceDir, now });
  reference = exportBytes(referenceDir);
  const exportDir = path.join(dir, "one-pass");
  const server = recordingServer();
  const result = await exportAndImport(options(exportDir, server.api));
  expect(result.interrupted).toBe(false);
  expect(exportBytes(exportDir)).toEqual(reference);
  await verifyExport(exportDir, readManifest(exportDir));
  expect(result.tables.posts).toMatchObject({ rows: 900, inserted: 900, unchanged: 0, rejected: 0 });
  expect(server.stored.get("posts")!.size).toBe(900);
  expect(result.replayedBatches).toBe(0);
  // A finished one pass is an export like any other: nothing to resume.
  expect(unfinishedOnePass(exportDir)).toBeNull();
});

it("stopped by the signal, then crashed before its last checkpoint writes, resumes to the same bytes and every row once", async () => {
  const exportDir = path.join(dir, "interrupted");
  const server = recordingServer();
  const controller = new AbortController();
  const checkpointFile = path.join(exportDir, CHECKPOINT_FILE);
  let earlier = "";
  server.setOnCall((n) => {
    if (n === 12) earlier = readFileSync(checkpointFile, "utf8");
    if (n === 15) controller.abort();
  });
  const first = await exportAndImport(options(exportDir, server.api, controller.signal));
  expect(first.interrupted).toBe(true);
  expect(first.manifest).toBeNull();
  // A directory without a manifest is an export that did not finish.
  expect(existsSync(path.join(exportDir, MANIFEST_FILE))).toBe(false);
  expect(() => readManifest(exportDir)).toThrow(/did not finish/);
  expect(unfinishedOnePass(exportDir)).toMatchObject({ snapshot, role: "admin" });
  const sentRows = Object.values(first.tables).reduce((sum, t) => sum + t.rows, 0);
  expect(sentRows).toBeGreaterThan(0);

  // The crash: the chunks after call 12 reached the server, but the checkpoint on disk predates them.
  writeFileSync(checkpointFile, earlier);
  server.setOnCall(() => {});
  const second = await exportAndImport(options(exportDir, server.api));
  expect(second.resumed).toBe(true);
  expect(second.interrupted).toBe(false);
  expect(second.replayedBatches).toBeGreaterThan(0);
  expect(exportBytes(exportDir)).toEqual(reference);
  await verifyExport(exportDir, readManifest(exportDir));
  for (const table of syncTableNames) {
    const r = second.tables[table];
    // Totals per table: the checkpoint's before the crash plus the replayed and new chunks, each row once.
    expect(r.inserted + r.updated + r.unchanged, table).toBe(r.rows);
    expect(r.unchanged, table).toBe(0);
    expect(server.stored.get(table)!.size, table).toBe(r.rows);
  }
  expect(second.tables.posts.rows).toBe(900);
});

it("keeps as many chunk buffers as chunks are in flight, whichever table they served", async () => {
  const allocate = vi.spyOn(Buffer, "allocUnsafeSlow");
  try {
    const server = recordingServer();
    const result = await exportAndImport({
      ...options(path.join(dir, "buffers"), server.api),
      concurrency: 1,
      tablesInParallel: 1,
    });
    expect(result.interrupted).toBe(false);
    expect(result.batches).toBeGreaterThan(syncTableNames.length);
    const chunkBuffers = allocate.mock.calls.filter(([size]) => size === BULK_CHUNK_BYTES).length;
    // One table at a time, one chunk in flight: the chunk sent and the one being filled (each table
    // taking its own allocated at least one per table).
    expect(chunkBuffers).toBeLessThanOrEqual(2);
  } finally {
    allocate.mockRestore();
  }
});
