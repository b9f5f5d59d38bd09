// The import's checkpoint against the real app (small body limit) over a
// real PostgreSQL:
// - a batch over the server's body limit goes as halves, and a pass that
//   lost its last checkpoint write resumes with the same halves under the
//   same keys: answered from the server's record, nothing written twice;
// - a checkpoint from a crafted export folder cannot make the import write or
//   cut back any file but a reject log in the data directory, nor write
//   through a link.
import { mkdirSync, readFileSync, symlinkSync, writeFileSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  json,
  post,
  readRejectLog,
  rejectLogOf,
  startImportTarget,
  writeExport,
  type ImportTarget,
} from "../../../test/support/export-fixture";
import { createMemoryLog } from "../log";
import { serverClientOver } from "../uplink/server-client";
import { CHECKPOINT_FILE } from "./paths";

let target: ImportTarget;
let nextId = 1_757_000_000_000_000_000n;

beforeAll(async () => {
  target = await startImportTarget("import-checkpoint");
}, 180_000);

afterAll(async () => {
  await target?.stop();
});

/** Posts of about 6 KB: eight make a batch over the server's 32 KiB limit, four fit. */
const bigPosts = (n: number) => Array.from({ length: n }, () => json(post(String(nextId++), "w".repeat(6 * 1024))));

describe("halves and the checkpoint", () => {
  it("resumes a pass whose last checkpoint write was lost with the same halves, answered as replays", async () => {
    const exportDir = path.join(target.dir, "halves");
    writeExport(exportDir, bigPosts(24));
    const checkpointFile = path.join(exportDir, CHECKPOINT_FILE);
    const batchesBefore = await target.t.db.ingestBatch.count();
    const controller = new AbortController();
    let answered = 0;
    let afterFirstBatch = "";
    const stopping = serverClientOver({
      ...target.calls,
      pushBulk: async (chunk) => {
        const answer = await target.calls.pushBulk(chunk);
        // Two halves per batch of eight: the fourth answer ends the second batch.
        if (++answered === 3) afterFirstBatch = readFileSync(checkpointFile, "utf8");
        if (answered === 4) controller.abort();
        return answer;
      },
    });
    const log = createMemoryLog();
    const limits = { batchSize: 8, maxBytes: 1_000_000, concurrency: 1 };
    const first = await target.run(exportDir, { ...limits, api: stopping, signal: controller.signal, log });
    expect(first).toMatchObject({ interrupted: true, batches: 4 });
    expect(first.tables.posts).toMatchObject({ rows: 16, inserted: 16 });
    expect(log.lines).toContainEqual(
      expect.stringMatching(
        /^push: 2 batch\(es\) were over the server's body limit and went as halves; lower XMONITOR_INGEST_BATCH_SIZE, or raise INGEST_MAX_BODY_BYTES/,
      ),
    );
    expect(await target.t.db.ingestBatch.count()).toBe(batchesBefore + 4);

    // A crash lost the checkpoint written after the second batch.
    writeFileSync(checkpointFile, afterFirstBatch);
    const second = await target.run(exportDir, limits);
    expect(second).toMatchObject({ resumed: true, interrupted: false, batches: 4, replayedBatches: 2 });
    expect(second.tables.posts).toMatchObject({ rows: 24, inserted: 24, rejected: 0 });
    expect(await target.t.db.ingestBatch.count()).toBe(batchesBefore + 6);
    expect(readRejectLog(exportDir)).toEqual([]);
  });
});

describe("a checkpoint is not trusted with a path", () => {
  /** An export with an unfinished pass for the admin key whose reject log is `rejectLog`. */
  async function craftedExport(name: string, rejectLog: string): Promise<string> {
    const exportDir = path.join(target.dir, name);
    writeExport(exportDir, [json(post(String(nextId++)))]);
    const access = await target.api.access();
    const pass = {
      pass: 1,
      role: access.role,
      keyPrefix: access.keyPrefix,
      label: name,
      batchSize: 4,
      maxBytes: 16 * 1024,
      rejectLog,
      startedAt: "2026-11-20T00:00:00Z",
      complete: false,
      tables: {
        posts: {
          line: 0,
          totals: { inserted: 0, updated: 0, unchanged: 0, rejected: 0 },
          rejectLogBytes: 0,
          done: false,
        },
      },
    };
    writeFileSync(path.join(exportDir, CHECKPOINT_FILE), JSON.stringify({ version: 1, passes: [pass] }));
    return exportDir;
  }

  const victim = () => {
    const file = path.join(target.dir, `victim-${nextId++}.txt`);
    writeFileSync(file, "the operator's file\n");
    return file;
  };

  it.each([
    ["an absolute path outside the data directory", (v: string) => v],
    ["a relative path out of it", (v: string) => path.join("..", path.basename(v))],
  ])("refuses %s and leaves that file as it was", async (_name, pathOf) => {
    const file = victim();
    const exportDir = await craftedExport(`outside-${nextId}`, pathOf(file));
    const before = await target.t.db.ingestBatch.count();
    await expect(target.run(exportDir)).rejects.toThrow(
      /names .* as its reject log; reject logs are import_rejects_\*\.ndjson files in the data directory .*Refused: nothing was written/,
    );
    expect(readFileSync(file, "utf8")).toBe("the operator's file\n");
    expect(await target.t.db.ingestBatch.count()).toBe(before);
  });

  it("refuses another file of the data directory (the live database), leaving it whole", async () => {
    const exportDir = await craftedExport("database", "x_monitor.db");
    const database = path.join(exportDir, "x_monitor.db");
    writeFileSync(database, "SQLite format 3\0 and the rest");
    await expect(target.run(exportDir)).rejects.toThrow(/names x_monitor\.db as its reject log/);
    expect(readFileSync(database, "utf8")).toBe("SQLite format 3\0 and the rest");
  });

  it("never writes a reject log through a link, resumed or new", async () => {
    const file = victim();
    const resumed = await craftedExport("link-resumed", "import_rejects_link.ndjson");
    symlinkSync(file, path.join(resumed, "import_rejects_link.ndjson"));
    await expect(target.run(resumed)).rejects.toThrow(/import_rejects_link\.ndjson is a symbolic link: refused/);

    const fresh = path.join(target.dir, "link-new");
    mkdirSync(fresh);
    writeExport(fresh, [json(post(String(nextId++)))]);
    symlinkSync(file, rejectLogOf(fresh));
    await expect(target.run(fresh)).rejects.toThrow(/is a symbolic link: refused/);
    expect(readFileSync(file, "utf8")).toBe("the operator's file\n");
  });

  it("refuses a new pass whose reject log would be outside the data directory", async () => {
    const exportDir = path.join(target.dir, "new-outside");
    writeExport(exportDir, [json(post(String(nextId++)))]);
    await expect(
      target.run(exportDir, { newRejectLog: () => path.join(target.dir, "import_rejects_elsewhere.ndjson") }),
    ).rejects.toThrow(/reject logs are import_rejects_\*\.ndjson files in the data directory/);
  });
});
