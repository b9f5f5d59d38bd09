// Content reconcile on the server: the segment checksums and row hashes a
// collector bisects its differences with (collector reconcile --deep).
// Reads only: a key bound to one collector reads only that collector's rows.
import type {
  DeepRowHashesInput,
  DeepRowHashPage,
  DeepSegment,
  DeepSegmentsInput,
} from "~/shared/schemas/deep-reconcile";
import { DEEP_MAX_KEYS_PER_CALL } from "~/shared/request-limits";
import type { SyncTable } from "~/shared/table-catalog";
import { assertMayActFor } from "../auth/collector-binding";
import type { Principal } from "../auth/principal";
import { sqlPool, type Db } from "../db";
import { rowHashesInRangesSql, rowHashesSql, segmentsInRangesSql, segmentsSql } from "./deep-sql";
import { digitsOrderAsBytes, wantedKeyRanges } from "./key-ranges";

/**
 * One statement with JIT off: these scans are cheap per row but their cost
 * estimate crosses jit_above_cost, and compiling took longer than the work.
 * work_mem 64 MB: a collector's 366,000 keys joined to a million posts
 * spilled the default 4 MB to disk in batches (docs/benchmarks.md).
 */
async function query<R extends object>(db: Db, sql: string, params: unknown[]): Promise<R[]> {
  const client = await sqlPool(db).connect();
  try {
    await client.query("begin read only");
    await client.query("set local jit = off");
    await client.query("set local work_mem = '64MB'");
    const { rows } = await client.query<R>(sql, params);
    await client.query("commit");
    return rows;
  } catch (error) {
    await client.query("rollback").catch(() => undefined);
    throw error;
  } finally {
    client.release();
  }
}

/**
 * The statement and its range parameters: a deeper round (some segments) of a status-id table
 * reads only the wanted segments' keys, where the index orders digits as bytes; the first round
 * and other tables scan the collector's rows (docs/decisions/021).
 */
async function choose(
  db: Db,
  { table, bounds, segments }: Pick<DeepSegmentsInput, "table" | "bounds" | "segments">,
  whole: Record<SyncTable, string>,
  inRanges: Partial<Record<SyncTable, string>>,
): Promise<{ sql: string; rangeParams: unknown[] }> {
  const ranges = wantedKeyRanges(table, bounds, segments);
  const sql = ranges && (await digitsOrderAsBytes(db)) && inRanges[table];
  return sql ? { sql, rangeParams: [ranges.lo, ranges.hi, ranges.tail] } : { sql: whole[table], rangeParams: [] };
}

type Options<I> = {
  input: I;
  principal: Principal;
};

export async function deepSegments(db: Db, { input, principal }: Options<DeepSegmentsInput>): Promise<DeepSegment[]> {
  assertMayActFor(principal, input.collector);
  const { sql, rangeParams } = await choose(db, input, segmentsSql, segmentsInRangesSql);
  const rows = await query<{ segment: number; count: number; checksum: string }>(db, sql, [
    input.collector,
    input.since ?? null,
    input.bounds,
    input.segments,
    ...rangeParams,
  ]);
  return rows.map((r) => ({ segment: r.segment, count: r.count, checksum: Number(r.checksum) }));
}

export async function deepRowHashes(
  db: Db,
  { input, principal }: Options<DeepRowHashesInput>,
): Promise<DeepRowHashPage> {
  assertMayActFor(principal, input.collector);
  const limit = Math.min(input.limit ?? DEEP_MAX_KEYS_PER_CALL, DEEP_MAX_KEYS_PER_CALL);
  const { sql, rangeParams } = await choose(db, input, rowHashesSql, rowHashesInRangesSql);
  const rows = await query<{ key: string; hash: string; updated_at: string }>(db, sql, [
    input.collector,
    input.since ?? null,
    input.bounds,
    input.segments,
    input.after ?? null,
    limit + 1,
    ...rangeParams,
  ]);
  return {
    rows: rows.slice(0, limit).map((r) => ({ key: r.key, hash: Number(r.hash), updatedAt: Number(r.updated_at) })),
    more: rows.length > limit,
  };
}
