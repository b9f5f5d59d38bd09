// The one batch pusher against an in-process stand-in for the server's push
// (a body limit counted in items, answers that finish out of order): keys,
// the concurrency bound, in-order results, the 413 policy both ways, the
// first failure ending the push, the signal, and the producer closed.
import { createHash } from "node:crypto";
import { describe, expect, it } from "vitest";
import type { IngestBatch } from "~/shared/schemas/ingest";
import { syncTableNames } from "~/shared/schemas/tables";
import { pushBatches, type OutgoingBatch } from "./batch-pusher";
import { HttpError } from "./http-error";
import { serverClientOver, type BulkChunk, type PushResult, type ServerCalls } from "./server-client";

type Handle = { handle: string };
const accounts = (from: number, n: number): Handle[] =>
  Array.from({ length: n }, (_, i) => ({ handle: `h${String(from + i).padStart(3, "0")}` }));

/** A push that takes at most `maxItems` accounts (413 above), waits `delay(batch)` ms, and replays keys it saw. */
function server(options: {
  maxItems?: number;
  delay?: (items: Handle[]) => number;
  failOn?: (items: Handle[]) => boolean;
}) {
  const seen = new Map<string, number>();
  const log: { key: string; handles: string[] }[] = [];
  let inFlight = 0;
  let maxInFlight = 0;
  const push = async (batch: IngestBatch): Promise<PushResult> => {
    const items = (batch.watchAccounts ?? []) as Handle[];
    inFlight++;
    maxInFlight = Math.max(maxInFlight, inFlight);
    try {
      await new Promise((r) => setTimeout(r, options.delay?.(items) ?? 0));
      if (items.length > (options.maxItems ?? Infinity))
        throw new HttpError("server answered 413: larger than INGEST_MAX_BODY_BYTES", 413, undefined);
      if (options.failOn?.(items)) throw new HttpError("server answered 400: refused", 400, undefined);
      const replayed = seen.has(batch.idempotencyKey);
      seen.set(batch.idempotencyKey, items.length);
      log.push({ key: batch.idempotencyKey, handles: items.map((a) => a.handle) });
      const tables = Object.fromEntries(
        syncTableNames.map((t) => [
          t,
          {
            inserted: t === "watchAccounts" && !replayed ? items.length - 1 : 0,
            updated: 0,
            unchanged: 0,
            rejected: 0,
          },
        ]),
      ) as PushResult["tables"];
      if (!replayed) tables.watchAccounts.rejected = 1;
      return {
        batchId: batch.idempotencyKey,
        idempotencyKey: batch.idempotencyKey,
        replayed,
        status: "partial",
        receivedAt: new Date().toISOString(),
        tables,
        // The last item of every batch is refused, with its index in the request.
        rejects: replayed
          ? []
          : [{ table: "watchAccounts", index: items.length - 1, key: items.at(-1)!.handle, reason: "refused" }],
      };
    } finally {
      inFlight--;
    }
  };
  const api = serverClientOver({ push } as unknown as ServerCalls, { maxAttempts: 1 });
  return { api, log, maxInFlight: () => maxInFlight };
}

const envelope = { collector: "box", mode: "priority" as const, runId: null, since: null };
const batchesOf = (sizes: number[]): OutgoingBatch[] => {
  let at = 0;
  return sizes.map((n) => ({ table: "watchAccounts" as const, items: accounts((at += n) - n, n) }));
};

describe("pushBatches", () => {
  it("keys each batch by prefix, table and a 32-hex content hash; the same content gets the same key", async () => {
    const a = server({});
    await pushBatches({ api: a.api, batches: batchesOf([3, 3]), envelope, keyPrefix: "box:priority" });
    const b = server({});
    await pushBatches({ api: b.api, batches: batchesOf([3, 3]), envelope, keyPrefix: "box:priority" });
    expect(a.log.map((l) => l.key)).toHaveLength(2);
    for (const { key } of a.log) expect(key).toMatch(/^box:priority:watchAccounts:[0-9a-f]{32}$/);
    expect(b.log.map((l) => l.key).sort()).toEqual(a.log.map((l) => l.key).sort());
  });

  it("never has more than `concurrency` pushes in flight, and in order hands results back in the order made", async () => {
    // Early batches answer slowest: a pusher applying as they come would see them last.
    const s = server({ delay: (items) => 60 - Number(items[0]!.handle.slice(1)) });
    const order: string[] = [];
    const totals = await pushBatches({
      api: s.api,
      batches: batchesOf([2, 2, 2, 2, 2, 2]),
      envelope,
      keyPrefix: "p",
      concurrency: 3,
      inOrder: true,
      onBatch: (batch) => void order.push((batch.items![0] as Handle).handle),
    });
    expect(s.maxInFlight()).toBe(3);
    expect(order).toEqual(["h000", "h002", "h004", "h006", "h008", "h010"]);
    expect(totals.tables.watchAccounts).toEqual({ inserted: 6, updated: 0, unchanged: 0, rejected: 6, anomalies: 0 });
    expect(totals.batches).toBe(6);
  });

  it("sends a batch over the body limit as halves down to single rows, with reject indexes in the batch as made", async () => {
    const s = server({ maxItems: 3 });
    const outcomes: { rejects: number[]; sent: number }[] = [];
    const totals = await pushBatches({
      api: s.api,
      batches: batchesOf([10]),
      envelope,
      keyPrefix: "p",
      onBatch: (_batch, outcome) =>
        void outcomes.push({ rejects: outcome.rejects.map((r) => r.index), sent: outcome.sent }),
    });
    // 10 → 5 (→ 3, 2) and 5 (→ 3, 2).
    expect(totals.splits).toBe(3);
    expect(s.log.map((l) => l.handles.length)).toEqual([3, 2, 3, 2]);
    expect(outcomes).toEqual([{ rejects: [2, 4, 7, 9], sent: 4 }]);
    expect(new Set(s.log.map((l) => l.key)).size).toBe(4);
    expect(s.log.flatMap((l) => l.handles)).toEqual(accounts(0, 10).map((a) => a.handle));
  });

  it("fails on a single row over the limit by default, and makes it a reject when asked", async () => {
    await expect(
      pushBatches({ api: server({ maxItems: 0 }).api, batches: batchesOf([2]), envelope, keyPrefix: "p" }),
    ).rejects.toMatchObject({ message: expect.stringMatching(/413/) as unknown });
    const s = server({ maxItems: 0 });
    const totals = await pushBatches({
      api: s.api,
      batches: batchesOf([2]),
      envelope,
      keyPrefix: "p",
      rowTooLarge: "reject",
    });
    expect(totals.tables.watchAccounts.rejected).toBe(2);
    expect(totals.rejects.map((r) => [r.index, r.key, r.tooLarge])).toEqual([
      [0, "h000", true],
      [1, "h001", true],
    ]);
  });

  it("stops at the first failure, applies nothing after it in order, and closes the producer", async () => {
    const s = server({ failOn: (items) => items[0]!.handle === "h004", delay: () => 5 });
    let closed = false;
    function* produce() {
      try {
        yield* batchesOf([2, 2, 2, 2, 2, 2, 2, 2]);
      } finally {
        closed = true;
      }
    }
    const applied: string[] = [];
    await expect(
      pushBatches({
        api: s.api,
        batches: produce(),
        envelope,
        keyPrefix: "p",
        concurrency: 2,
        inOrder: true,
        onBatch: (batch) => void applied.push((batch.items![0] as Handle).handle),
      }),
    ).rejects.toThrow(/400/);
    expect(applied).toEqual(["h000", "h002"]);
    expect(closed).toBe(true);
  });

  it("takes no new batch once the signal is aborted, and says so", async () => {
    const controller = new AbortController();
    const s = server({});
    const totals = await pushBatches({
      api: s.api,
      batches: batchesOf([1, 1, 1, 1, 1]),
      envelope,
      keyPrefix: "p",
      concurrency: 1,
      signal: controller.signal,
      onBatch: () => (s.log.length === 2 ? controller.abort() : undefined),
    });
    expect(totals.interrupted).toBe(true);
    expect(s.log).toHaveLength(2);
  });

  /** The server's answer to a bulk chunk of watch accounts: `inserted` of them inserted. */
  const accountsInserted = (chunk: BulkChunk, inserted: number): PushResult => {
    const tables = Object.fromEntries(
      syncTableNames.map((t) => [
        t,
        { inserted: t === "watchAccounts" ? inserted : 0, updated: 0, unchanged: 0, rejected: 0 },
      ]),
    ) as PushResult["tables"];
    const key = chunk.envelope.idempotencyKey;
    return {
      batchId: key,
      idempotencyKey: key,
      replayed: false,
      status: "succeeded",
      receivedAt: "",
      tables,
      rejects: [],
    };
  };

  it("sends a producer's NDJSON bytes as they are, keyed by its content hash; halves after a 413 by their own bytes", async () => {
    const sent: { key: string; body: string }[] = [];
    const pushBulk = async (chunk: BulkChunk): Promise<PushResult> => {
      const body = chunk.ndjson.toString();
      const lines = body.trimEnd().split("\n");
      if (lines.length > 2)
        throw new HttpError("server answered 413: larger than INGEST_MAX_BODY_BYTES", 413, undefined);
      sent.push({ key: chunk.envelope.idempotencyKey, body });
      return accountsInserted(chunk, lines.length);
    };
    const api = serverClientOver({ pushBulk } as unknown as ServerCalls, { maxAttempts: 1 });
    const lines = accounts(0, 2).map((a) => JSON.stringify(a));
    const ndjson = Buffer.from(`${lines.join("\n")}\n`);
    const whole = await pushBatches({
      api,
      batches: [{ table: "watchAccounts" as const, ndjson, rows: 2, contentHash: "c".repeat(64) }],
      envelope,
      keyPrefix: "p",
      transport: "bulk",
    });
    expect(whole.tables.watchAccounts.inserted).toBe(2);
    expect(sent).toEqual([{ key: `p:watchAccounts:${"c".repeat(32)}`, body: ndjson.toString() }]);

    sent.length = 0;
    const four = accounts(0, 4).map((a) => `${JSON.stringify(a)}\n`);
    const split = await pushBatches({
      api,
      batches: [
        { table: "watchAccounts" as const, ndjson: Buffer.from(four.join("")), rows: 4, contentHash: "d".repeat(64) },
      ],
      envelope,
      keyPrefix: "p",
      transport: "bulk",
    });
    expect(split.splits).toBe(1);
    const hash = (text: string) => createHash("sha256").update(text).digest("hex").slice(0, 32);
    expect(sent).toEqual([
      { key: `p:watchAccounts:${hash(four[0]! + four[1]!)}`, body: four[0]! + four[1]! },
      { key: `p:watchAccounts:${hash(four[2]! + four[3]!)}`, body: four[2]! + four[3]! },
    ]);
  });

  it("asks `held` first with the batch's key: held batches are counted and not sent; a failing check sends", async () => {
    const sent: string[] = [];
    const pushBulk = async (chunk: BulkChunk): Promise<PushResult> => {
      sent.push(chunk.envelope.idempotencyKey);
      return accountsInserted(chunk, 1);
    };
    const api = serverClientOver({ pushBulk } as unknown as ServerCalls, { maxAttempts: 1 });
    const batch = (n: number) => ({
      table: "watchAccounts" as const,
      ndjson: Buffer.from(`${JSON.stringify(accounts(n, 1)[0])}\n`),
      rows: 1,
      contentHash: String(n).repeat(64),
    });
    const asked: string[] = [];
    const totals = await pushBatches({
      api,
      batches: [batch(1), batch(2), batch(3)],
      envelope,
      keyPrefix: "p",
      transport: "bulk",
      held: async (b, key) => {
        asked.push(key());
        if (b.contentHash.startsWith("1")) return { inserted: 0, updated: 0, unchanged: 1, rejected: 0, anomalies: 0 };
        if (b.contentHash.startsWith("2")) throw new Error("the check failed");
        return null;
      },
    });
    expect(asked).toEqual(["1", "2", "3"].map((n) => `p:watchAccounts:${n.repeat(32)}`));
    expect(sent).toEqual(["2", "3"].map((n) => `p:watchAccounts:${n.repeat(32)}`));
    expect(totals).toMatchObject({ held: 1, batches: 2 });
    expect(totals.tables.watchAccounts).toMatchObject({ inserted: 2, unchanged: 1 });
  });
});
