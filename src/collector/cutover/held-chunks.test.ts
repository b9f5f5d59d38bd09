// The collector's side of the held-chunk check (docs/decisions/022): only an
// exact answer skips a chunk; every doubt sends it; hashing stops once the
// server holds none of a chunk's rows; a resumed pass sends its first chunks;
// items read back from an export hash as the snapshot's rows do.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import Database from "better-sqlite3";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { hashColumns, HASH_MODULUS } from "~/shared/row-hash";
import type { HeldChunk, HeldChunkInput } from "~/shared/schemas/bulk";
import { syncTables, type SyncTable } from "~/shared/schemas/tables";
import { buildLegacyDatabase } from "../../../test/support/legacy-fixture";
import { rowHasherFor } from "../deep/row-hash";
import { rowToItem } from "../store/items";
import { heldChunkCheck, itemsChecksum, type HashedChunk } from "./held-chunks";

const chunk = (over: Partial<HashedChunk> = {}): HashedChunk => ({
  firstKey: "100",
  lastKey: "199",
  rows: 100,
  checksum: 12345,
  ...over,
});
const answer = (over: Partial<HeldChunk> = {}): HeldChunk => ({
  known: true,
  recorded: false,
  count: 100,
  checksum: 12345,
  anomalies: 3,
  ...over,
});

function serverAnswering(...answers: (HeldChunk | Error)[]) {
  const asked: HeldChunkInput[] = [];
  return {
    asked,
    api: {
      heldChunk: async (input: HeldChunkInput) => {
        asked.push(input);
        const next = answers.shift() ?? answer();
        if (next instanceof Error) throw next;
        return next;
      },
    },
  };
}

const key = () => "k:posts:abc";

describe("heldChunkCheck", () => {
  it("skips a chunk only when the count and checksum agree, with the server's anomaly count", async () => {
    const { api, asked } = serverAnswering(answer(), answer({ checksum: 1 }), answer({ count: 99 }));
    const check = heldChunkCheck(api, "box", "posts");
    expect(check.hashRows()).toBe(true);
    expect(await check.held(chunk(), key)).toEqual({
      inserted: 0,
      updated: 0,
      unchanged: 100,
      rejected: 0,
      anomalies: 3,
    });
    expect(await check.held(chunk(), key)).toBeNull();
    expect(await check.held(chunk(), key)).toBeNull();
    expect(asked[0]).toEqual({
      table: "posts",
      collector: "box",
      firstKey: "100",
      lastKey: "199",
      rows: 100,
      idempotencyKey: "k:posts:abc",
    });
    expect(check.hashRows()).toBe(true);
  });

  it("sends a chunk recorded under its key, one the server cannot read by range, and any when the check fails", async () => {
    const { api } = serverAnswering(answer({ recorded: true }), answer({ known: false }));
    const check = heldChunkCheck(api, "box", "posts");
    expect(await check.held(chunk(), key)).toBeNull();
    expect(check.hashRows()).toBe(true);
    expect(await check.held(chunk(), key)).toBeNull();
    expect(check.hashRows()).toBe(false);
    const failing = heldChunkCheck(serverAnswering(new Error("503")).api, "box", "embeddings");
    expect(await failing.held(chunk(), key)).toBeNull();
    expect(failing.hashRows()).toBe(false);
  });

  it("stops hashing once the server holds none of a chunk's rows", async () => {
    const { api } = serverAnswering(answer({ count: 0, checksum: 0 }));
    const check = heldChunkCheck(api, "box", "posts");
    expect(await check.held(chunk(), key)).toBeNull();
    expect(check.hashRows()).toBe(false);
  });

  it("never asks for an unhashed chunk, keys that are not status ids, or a table the server does not read by range", async () => {
    const { api, asked } = serverAnswering();
    const check = heldChunkCheck(api, "box", "posts");
    expect(await check.held(chunk({ checksum: null }), key)).toBeNull();
    expect(await check.held(chunk({ firstKey: "legacy-1" }), key)).toBeNull();
    expect(await check.held(chunk({ lastKey: 199 }), key)).toBeNull();
    expect(asked).toEqual([]);
    expect(heldChunkCheck(api, "box", "pipelineRuns").hashRows()).toBe(false);
  });

  it("a resumed pass sends its first chunks without asking", () => {
    const check = heldChunkCheck(serverAnswering().api, "box", "posts", { sendFirst: 2 });
    expect([check.hashRows(), check.hashRows(), check.hashRows()]).toEqual([false, false, true]);
  });
});

describe("itemsChecksum", () => {
  let dir: string;
  let db: Database.Database;
  beforeAll(() => {
    dir = mkdtempSync(path.join(tmpdir(), "xm-held-"));
    const file = path.join(dir, "legacy.db");
    buildLegacyDatabase(file, {
      tweets: 40,
      reports: 1,
      watchAccounts: 1,
      runs: 1,
      embeddings: 15,
      summaries: 1,
      shifts: 1,
    });
    db = new Database(file, { readonly: true });
  });
  afterAll(() => {
    db.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const rowsOf = (table: SyncTable) =>
    db.prepare(`select * from ${syncTables[table].sqlite} order by ${syncTables[table].key}`).all() as Record<
      string,
      unknown
    >[];

  it.each(["posts", "embeddings"] as const)("hashes %s items as the snapshot's rows hash", (table) => {
    const rows = rowsOf(table);
    const hasher = rowHasherFor(table);
    const columns = hashColumns[table].map((c) => c.wire);
    const fromRows = rows.reduce((sum, row) => (sum + hasher(columns.map((c) => row[c]))) % HASH_MODULUS, 0);
    const items = rows.map((row) => JSON.parse(JSON.stringify(rowToItem(table, row))) as unknown);
    expect(itemsChecksum(table, items)).toBe(fromRows);
  });

  it("is null for a line that is no object", () => {
    const item = JSON.parse(JSON.stringify(rowToItem("posts", rowsOf("posts")[0]!))) as unknown;
    for (const odd of [null, 7, "text", [item]]) expect(itemsChecksum("posts", [item, odd])).toBeNull();
  });
});
