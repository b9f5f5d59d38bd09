// pushChanges against a stand-in for the ingest API whose body limit is
// smaller than the collector's batches: batches are halved until they fit,
// every row arrives once, and a single row too large still fails loudly.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { IngestBatch, IngestResult } from "~/shared/schemas/ingest";
import { syncTableNames } from "~/shared/schemas/tables";
import { openStore, type SqliteStore } from "../store/sqlite-store";
import { HttpError } from "../uplink/http-error";
import type { ServerClient } from "../uplink/server-client";
import { pushChanges } from "./push-changes";

let dir: string;
let store: SqliteStore;
beforeEach(() => {
  dir = mkdtempSync(path.join(tmpdir(), "xm-push-"));
  store = openStore({ path: path.join(dir, "x_monitor.db"), clock: () => new Date("2026-11-20T10:00:00Z") });
  for (let i = 0; i < 40; i++)
    store.watchAccounts.add({ handle: `watched_${String(i).padStart(2, "0")}`, tier: "priority" });
});
afterEach(() => {
  store.close();
  rmSync(dir, { recursive: true, force: true });
});

/** Accepts a batch only when it has at most `maxItems` accounts, as a server with a small body limit would. */
function limitedApi(maxItems: number) {
  const received: string[] = [];
  const keys = new Set<string>();
  const sizes: number[] = [];
  const api = {
    push: async (batch: IngestBatch): Promise<IngestResult> => {
      const items = (batch.watchAccounts ?? []) as { handle: string }[];
      sizes.push(items.length);
      if (items.length > maxItems)
        throw new HttpError(
          "server answered 413: Request body is larger than the limit (INGEST_MAX_BODY_BYTES)",
          413,
          undefined,
        );
      keys.add(batch.idempotencyKey);
      received.push(...items.map((a) => a.handle));
      const tables = Object.fromEntries(
        syncTableNames.map((t) => [
          t,
          { inserted: t === "watchAccounts" ? items.length : 0, updated: 0, unchanged: 0, rejected: 0 },
        ]),
      ) as IngestResult["tables"];
      return {
        batchId: batch.idempotencyKey,
        idempotencyKey: batch.idempotencyKey,
        replayed: false,
        status: "succeeded",
        receivedAt: new Date().toISOString(),
        tables,
        rejects: [],
      };
    },
  } as unknown as ServerClient;
  return { api, received, keys, sizes };
}

/** Every watched account changed, in batches of 25. */
const allAccounts = {
  collector: "box",
  mode: "priority" as const,
  since: undefined,
  batchSize: 25,
  tables: ["watchAccounts"] as const,
};

describe("pushChanges under a small server body limit", () => {
  it("halves refused batches until they fit, and delivers every row once under distinct keys", async () => {
    const server = limitedApi(6);
    const totals = await pushChanges({ ...allAccounts, store, api: server.api });
    expect(server.received).toHaveLength(40);
    expect(new Set(server.received).size).toBe(40);
    expect(totals.tables.watchAccounts.inserted).toBe(40);
    // 25 → 13 (→ 7 (→ 4, 3), 6) and 12 (→ 6, 6); 15 → 8 (→ 4, 4) and 7 (→ 4, 3).
    expect(totals.splits).toBe(7);
    expect(totals.batches).toBe(9);
    expect(server.keys.size).toBe(9);
    expect(server.sizes.filter((n) => n > 6).sort((a, b) => a - b)).toEqual([7, 7, 8, 12, 13, 15, 25]);
  });

  it("still fails when one row alone is over the limit", async () => {
    const server = limitedApi(0);
    await expect(pushChanges({ ...allAccounts, store, api: server.api })).rejects.toThrow(/413/);
    expect(server.received).toEqual([]);
  });
});
