// The rejects table stays bounded: per batch (the first N raw items kept, the
// rest counted) and over time (old rows trimmed in bounded slices).
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDatabase, type TestDatabase } from "../../../test/support/database";
import { makePosts, principalFor } from "../../../test/support/fixtures";
import type { Principal } from "../auth/principal";
import { pushIngestBatch } from "./push-ingest-batch";
import { trimIngestRejects } from "./trim-rejects";

let t: TestDatabase;
let ingest: Principal;
beforeAll(async () => {
  t = await createTestDatabase();
  ingest = await principalFor(t.db, "ingest");
});
afterAll(async () => t?.drop());

describe("rejects per batch", () => {
  it("stores the first N with their raw items and counts the rest", async () => {
    const invalid = Array.from({ length: 30 }, (_, i) => ({ status_id: `bad-${i}`, filler: "x".repeat(100) }));
    const [valid] = makePosts(1, { seed: 3, firstId: 9_000n });
    const result = await pushIngestBatch(t.db, {
      input: { idempotencyKey: "cap-1", collector: "cap", mode: "priority", posts: [...invalid, valid] },
      principal: ingest,
      rejects: { storedPerBatch: 10, retentionDays: 30 },
    });
    expect(result.tables.posts).toMatchObject({ inserted: 1, rejected: 30 });
    expect(result.rejects).toHaveLength(30);
    const stored = await t.db.ingestReject.findMany({ where: { batchId: result.batchId }, orderBy: { id: "asc" } });
    expect(stored.map((r) => r.naturalKey)).toEqual(invalid.slice(0, 10).map((i) => i.status_id));
    expect(stored[0]!.rawItem).toMatchObject({ status_id: "bad-0" });
    const batch = await t.db.ingestBatch.findUniqueOrThrow({ where: { id: result.batchId } });
    expect(batch.rejectedCount).toBe(30);
  });
});

describe("trimIngestRejects", () => {
  it("deletes only rows older than the cut-off, at most `limit` per call, oldest first", async () => {
    await t.db.ingestReject.deleteMany();
    const old = new Date("2026-01-01T00:00:00Z");
    const young = new Date("2026-11-28T00:00:00Z");
    const row = (createdAt: Date, key: string) => ({
      tableName: "posts",
      naturalKey: key,
      reason: "test",
      rawItem: {},
      createdAt,
    });
    await t.db.ingestReject.createMany({
      data: [
        ...Array.from({ length: 5 }, (_, i) => row(old, `old-${i}`)),
        ...Array.from({ length: 3 }, (_, i) => row(young, `young-${i}`)),
      ],
    });
    const cutOff = new Date("2026-11-01T00:00:00Z");
    expect(await trimIngestRejects(t.db, { olderThan: cutOff, limit: 2 })).toBe(2);
    expect(await trimIngestRejects(t.db, { olderThan: cutOff, limit: 10 })).toBe(3);
    expect(await trimIngestRejects(t.db, { olderThan: cutOff, limit: 10 })).toBe(0);
    const left = await t.db.ingestReject.findMany({ orderBy: { id: "asc" } });
    expect(left.map((r) => r.naturalKey)).toEqual(["young-0", "young-1", "young-2"]);
  });
});
