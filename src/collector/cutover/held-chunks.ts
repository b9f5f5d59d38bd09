// A re-run of the cutover's one pass on a server that already holds the rows
// (docs/decisions/022): before a chunk of a shared table is sent, the server
// counts this collector's rows in the chunk's key range and sums their row
// hashes; when both equal the chunk's own (the content reconcile's checksum,
// computed from the snapshot's values as the server computes it), every row is
// there, pushed by this collector, as it is here, and the chunk is recorded as
// unchanged without being sent. Anything else sends it, as before.
//
// Hashing costs the collector CPU, so it stops for the rest of a table as soon
// as the server holds none of a chunk's rows: a first import pays for one or
// two chunks' hashes and one request each.
import { HELD_CHUNK_TABLES } from "~/shared/schemas/bulk";
import type { TableResult } from "~/shared/schemas/ingest";
import { hashColumns, HASH_MODULUS } from "~/shared/row-hash";
import { syncTables, type SyncTable } from "~/shared/schemas/tables";
import { rowHasherFor } from "../deep/row-hash";
import { rowEncoderFor } from "../store/items";
import type { ServerClient } from "../uplink/server-client";
import { zeroTableResult } from "../uplink/totals";

const STATUS_ID = /^[0-9]{1,20}$/;

/** What the check needs of a chunk: its rows' key range, count, and checksum (null: not hashed). */
export type HashedChunk = { firstKey: unknown; lastKey: unknown; rows: number; checksum: number | null };

export type HeldChunkCheck = {
  /** Whether the next chunk should hash its rows. */
  hashRows: () => boolean;
  /** The counts to record for a chunk the server already holds as it is, else null (send it). */
  held: (chunk: HashedChunk, idempotencyKey: () => string) => Promise<TableResult | null>;
};

/**
 * `sendFirst`: chunks sent without asking. A resumed pass sends the chunks the interrupted one
 * may have had in flight (as many as it kept in flight), so a chunk it sent is answered from the
 * server's record, with the counts of the push that stored it, even when it went as 413 halves
 * (whose keys the check cannot know).
 */
export function heldChunkCheck(
  api: Pick<ServerClient, "heldChunk">,
  collector: string,
  table: SyncTable,
  { sendFirst = 0 }: { sendFirst?: number } = {},
): HeldChunkCheck {
  let hashing = HELD_CHUNK_TABLES.includes(table);
  let begun = 0;
  return {
    hashRows: () => begun++ >= sendFirst && hashing,
    held: async (chunk, idempotencyKey) => {
      const { firstKey, lastKey, checksum, rows } = chunk;
      if (checksum === null || typeof firstKey !== "string" || typeof lastKey !== "string") return null;
      // A key the contract does not allow (the server rejects its row): nothing to compare by range.
      if (!STATUS_ID.test(firstKey) || !STATUS_ID.test(lastKey)) return null;
      const server = await api
        .heldChunk({ table, collector, firstKey, lastKey, rows, idempotencyKey: idempotencyKey() })
        .catch(() => null);
      // Sent before (a resumed pass): the record answers with the counts of the push that stored it.
      if (server?.recorded) return null;
      if (!server || !server.known) {
        hashing = false;
        return null;
      }
      if (server.count === 0) hashing = false;
      if (server.count !== rows || server.checksum !== checksum) return null;
      return { ...zeroTableResult(), unchanged: rows, anomalies: server.anomalies };
    },
  };
}

/**
 * The checksum of items read back from an export (the second pass, `cutover import`): each item
 * made the snapshot's values again (as the store writes them), hashed as the snapshot's rows are.
 * Null when an item is not one a store could hold (a line of JSON that is no object, a value the
 * encoders refuse): the server answers for those rows, so the chunk is sent.
 */
export function itemsChecksum(table: SyncTable, items: readonly unknown[]): number | null {
  const encode = rowEncoderFor(syncTables[table]);
  const hasher = rowHasherFor(table);
  const columns = hashColumns[table].map((col) => col.wire);
  let checksum = 0;
  try {
    for (const item of items) {
      if (typeof item !== "object" || item === null || Array.isArray(item)) return null;
      const row = encode(item as Record<string, unknown>);
      checksum = (checksum + hasher(columns.map((column) => row[column]))) % HASH_MODULUS;
    }
  } catch {
    return null;
  }
  return checksum;
}
