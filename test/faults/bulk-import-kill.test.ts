// Fault injection: the app SIGKILLed while the cutover import's bulk chunks
// are in flight. The import (real app, real PostgreSQL, NDJSON chunks to
// POST /api/v1/ingest/bulk) is killed under, fails, the app comes back on
// the same port, and the import runs again, resuming from its checkpoint:
// a chunk the server committed before it died is answered from its record
// (replayed), one it did not commit is merged anew. At the end every row of
// the export is on the server with its fields, and the pass's totals count
// each row exactly once as inserted: 0 lost, 0 duplicated.
//
// Short form in the default suite; FAULTS=full (npm run test:faults) kills
// more often.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, expect, it } from "vitest";
import { importExport, type ImportResult } from "~/collector/cutover/import";
import { createTrpcCalls, type ServerCalls } from "~/collector/uplink/server-calls";
import { serverClientOver } from "~/collector/uplink/server-client";
import { seededRandom } from "~/shared/random";
import { createTestDatabase, type TestDatabase } from "../support/database";
import { principalFor } from "../support/fixtures";
import { freePort, startAppServer, type AppServer } from "../support/app-server";
import { json, NO_WAIT_POLICY, post, rejectLogOf, writeExport } from "../support/export-fixture";
import { recordFaultFigures } from "./summary";

const FULL = process.env.FAULTS === "full";
const ROWS = FULL ? 6_000 : 1_500;
const CHUNK = 100;
const KILLS = FULL ? 8 : 2;

let t: TestDatabase;
let app: AppServer | null = null;
let port: number;
let key: string;
let dir: string;

const start = (assumeBuilt: boolean) =>
  startAppServer({ databaseUrl: t.url, port, env: { RATE_LIMIT_PER_MINUTE: "100000" }, assumeBuilt });

beforeAll(async () => {
  t = await createTestDatabase();
  key = (await principalFor(t.db, "admin")).key;
  port = await freePort();
  app = await start(false);
  dir = mkdtempSync(path.join(tmpdir(), "xm-bulk-kill-"));
}, 180_000);

afterAll(async () => {
  await app?.stop();
  await t?.drop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

it(
  `an import killed under ${KILLS} times mid-chunk resumes to every row once`,
  async () => {
    const started = Date.now();
    const random = seededRandom("bulk-import-kill");
    const rows = Array.from({ length: ROWS }, (_, i) =>
      post(String(1_766_000_000_000_000_000n + BigInt(i)), `body ${i} ${"x".repeat(random.int(10, 2000))}`),
    );
    const exportDir = path.join(dir, "export");
    writeExport(exportDir, rows.map(json));
    const chunks = Math.ceil(ROWS / CHUNK);
    // The chunk (counted across attempts) during which the app dies, spread over the import.
    const killAt = new Set<number>();
    while (killAt.size < KILLS) killAt.add(random.int(2, chunks - 2));

    let sent = 0;
    let kills = 0;
    // A kill due while the app is still down from the last one waits for the next chunk sent to a live app.
    let killDue = false;
    const real: ServerCalls = createTrpcCalls({ baseUrl: `http://127.0.0.1:${port}`, apiKey: key });
    const killing: ServerCalls = {
      ...real,
      pushBulk: async (chunk) => {
        if (killAt.has(++sent)) killDue = true;
        if (killDue && app) {
          killDue = false;
          const down = app;
          app = null;
          kills++;
          // Mid-chunk: the request is on its way (or being merged) when the app dies.
          setTimeout(() => down.child.kill("SIGKILL"), random.int(0, 40));
        }
        return real.pushBulk(chunk);
      },
    };
    const run = () =>
      importExport({
        exportDir,
        dataDir: exportDir,
        api: serverClientOver(killing, NO_WAIT_POLICY),
        collector: "kill-box",
        label: "bulk-kill",
        newRejectLog: () => rejectLogOf(exportDir),
        batchSize: CHUNK,
        concurrency: 2,
        now: () => new Date(),
      });

    let result: ImportResult | null = null;
    let attempts = 0;
    while (!result) {
      attempts++;
      try {
        result = await run();
      } catch {
        // The app died under the import: wait for it to be gone, bring it back, run the import again.
        await new Promise((r) => setTimeout(r, 100));
        if (!app) app = await start(true);
      }
      expect(attempts).toBeLessThanOrEqual(KILLS + 1);
    }
    expect(kills).toBe(KILLS);
    expect(result.resumed).toBe(true);
    expect(result.tables.posts).toEqual({
      rows: ROWS,
      inserted: ROWS,
      updated: 0,
      unchanged: 0,
      rejected: 0,
      anomalies: 0,
    });

    const stored = await t.db.post.findMany({ select: { statusId: true, body: true }, orderBy: { statusId: "asc" } });
    const lost = rows.filter((r, i) => stored[i]?.statusId !== r.status_id || stored[i]?.body !== r.body).length;
    const chunkRows = await t.db.ingestBatch.aggregate({
      where: { idempotencyKey: { startsWith: "cutover:bulk-kill:" } },
      _sum: { insertedCount: true, updatedCount: true, unchangedCount: true },
    });
    const applied =
      (chunkRows._sum.insertedCount ?? 0) + (chunkRows._sum.updatedCount ?? 0) + (chunkRows._sum.unchangedCount ?? 0);
    expect(stored).toHaveLength(ROWS);
    expect(lost).toBe(0);
    // Each row merged by exactly one committed chunk: a chunk applied twice would count its rows twice.
    expect(applied).toBe(ROWS);
    expect(chunkRows._sum.insertedCount).toBe(ROWS);

    recordFaultFigures({
      order: 5,
      scenario: "cutover import over the bulk path, app killed mid-chunk",
      faults: kills,
      faultDetail: `${kills} app SIGKILLs during bulk chunks`,
      runs: attempts,
      rows: stored.length,
      lost,
      duplicated: applied - ROWS,
      fiveXx: 0,
      fiveOhThree: 0,
      seconds: Math.round((Date.now() - started) / 1000),
    });
  },
  FULL ? 900_000 : 300_000,
);
