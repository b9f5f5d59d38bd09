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
import { assertMayActFor } from "../auth/collector-binding";
import type { Principal } from "../auth/principal";
import { sqlPool, type Db } from "../db";
import { buildRowHashesSql, buildSegmentsSql, rowHashesSql, segmentsSql, type ScopeSql } from "./deep-sql";

type Options<I> = {
  input: I;
  principal: Principal;
  /** Another relation of "the collector's rows" (the benchmark's stand-in for provenance); default collectorScopeSql. */
  scope?: ScopeSql;
};

export async function deepSegments(
  db: Db,
  { input, principal, scope }: Options<DeepSegmentsInput>,
): Promise<DeepSegment[]> {
  assertMayActFor(principal, input.collector);
  const { rows } = await sqlPool(db).query<{ segment: number; count: number; checksum: string }>(
    scope ? buildSegmentsSql(input.table, scope) : segmentsSql[input.table],
    [input.collector, input.since ?? null, input.bounds, input.segments],
  );
  return rows.map((r) => ({ segment: r.segment, count: r.count, checksum: Number(r.checksum) }));
}

export async function deepRowHashes(
  db: Db,
  { input, principal, scope }: Options<DeepRowHashesInput>,
): Promise<DeepRowHashPage> {
  assertMayActFor(principal, input.collector);
  const limit = Math.min(input.limit ?? DEEP_MAX_KEYS_PER_CALL, DEEP_MAX_KEYS_PER_CALL);
  const { rows } = await sqlPool(db).query<{ key: string; hash: string; updated_at: string }>(
    scope ? buildRowHashesSql(input.table, scope) : rowHashesSql[input.table],
    [input.collector, input.since ?? null, input.bounds, input.segments, input.after ?? null, limit + 1],
  );
  return {
    rows: rows.slice(0, limit).map((r) => ({ key: r.key, hash: Number(r.hash), updatedAt: Number(r.updated_at) })),
    more: rows.length > limit,
  };
}
