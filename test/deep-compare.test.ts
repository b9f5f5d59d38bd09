// The bisection's edge cases over the real service (no app): a table the
// server lacks entirely (every row missing, exact total, 20 named, repair
// handed every key once), one only the server holds (every row extra),
// and scattered differences at every depth with tiny segments.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { compareTable, type DeepServer } from "../src/collector/deep/compare";
import { upsertItems } from "../src/collector/store/local-upsert";
import type { Principal } from "../src/server/auth/principal";
import { deepRowHashes, deepSegments } from "../src/server/reconcile/deep-reconcile";
import { createTestDatabase, type TestDatabase } from "./support/database";
import { callerFor, principalFor } from "./support/fixtures";
import { useTempStore } from "./support/temp-store";

let t: TestDatabase;
let admin: Principal;
let server: DeepServer;
const local = useTempStore();
const at = "2026-11-20T10:00:00.000Z";

beforeAll(async () => {
  t = await createTestDatabase();
  admin = await principalFor(t.db, "admin");
  server = {
    reconcileSegments: (input) => deepSegments(t.db, { input, principal: admin }),
    reconcileRowHashes: (input) => deepRowHashes(t.db, { input, principal: admin }),
  };
});
afterAll(async () => t?.drop());

const shift = (i: number, topic = "rates") => ({
  shift_id: `shift-${String(i).padStart(4, "0")}`,
  topic,
  detected_at: at,
  window_id: null,
  magnitude: 0.5,
  description: "d",
  status_ids: [],
  created_at: at,
  updated_at: at,
});
const tiny = { topSegments: 4, subSegments: 3, leafRows: 5, leafBatchRows: 7 };

describe("compareTable", () => {
  it("names every local row missing when the server has none, and hands each key to the repair once", async () => {
    upsertItems(
      local.store,
      "narrativeShifts",
      Array.from({ length: 300 }, (_, i) => shift(i)),
    );
    const repaired: string[] = [];
    const result = await compareTable({
      store: local.store,
      server,
      table: "narrativeShifts",
      collector: "edge-box",
      tuning: tiny,
      onRepair: async (keys) => void repaired.push(...keys),
    });
    expect(result.missing.total).toBe(300);
    expect(result.missing.keys).toHaveLength(20);
    expect(result.extra.total + result.different.total).toBe(0);
    expect(new Set(repaired).size).toBe(300);
    expect(repaired).toHaveLength(300);
  });

  it("counts every server row extra when the file has none, naming 20", async () => {
    await callerFor(t.db, admin).ingest.push({
      idempotencyKey: "edge-extra",
      collector: "edge-box",
      mode: "priority",
      narrativeShifts: Array.from({ length: 250 }, (_, i) => shift(i)),
    });
    const result = await compareTable({ store: local.store, server, table: "narrativeShifts", collector: "edge-box" });
    expect(result).toMatchObject({ local: 0, server: 250, missing: { total: 0 }, different: { total: 0 } });
    expect(result.extra.total).toBe(250);
    expect(result.extra.keys).toHaveLength(20);
  });

  it("finds scattered differences at every depth with tiny segments", async () => {
    // The server holds 0..249 (previous test); locally 5..259, with 7 rows changed.
    const changed = new Set([10, 11, 77, 130, 131, 132, 248]);
    upsertItems(
      local.store,
      "narrativeShifts",
      Array.from({ length: 255 }, (_, j) => j + 5).map((i) => shift(i, changed.has(i) ? "changed" : "rates")),
    );
    const result = await compareTable({
      store: local.store,
      server,
      table: "narrativeShifts",
      collector: "edge-box",
      tuning: tiny,
    });
    const ids = (list: number[]) => list.map((i) => `shift-${String(i).padStart(4, "0")}`);
    expect(result.missing).toEqual({ total: 10, keys: ids([250, 251, 252, 253, 254, 255, 256, 257, 258, 259]) });
    expect(result.extra).toEqual({ total: 5, keys: ids([0, 1, 2, 3, 4]) });
    expect(result.different).toEqual({ total: 7, keys: ids([...changed]) });
    expect(result.segments).toBeGreaterThan(4);
  });
});
