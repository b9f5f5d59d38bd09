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
import type { SyncTable } from "~/shared/schemas/tables";
import type { ServerClient } from "../uplink/server-client";
import { zeroTableResult } from "../uplink/totals";
import type { SnapshotChunk } from "./export-file";

const STATUS_ID = /^[0-9]{1,20}$/;

export type HeldChunkCheck = {
  /** Whether the next chunk should hash its rows. */
  hashRows: () => boolean;
  /** The counts to record for a chunk the server already holds as it is, else null (send it). */
  held: (chunk: SnapshotChunk) => Promise<TableResult | null>;
};

export function heldChunkCheck(
  api: Pick<ServerClient, "heldChunk">,
  collector: string,
  table: SyncTable,
): HeldChunkCheck {
  let hashing = HELD_CHUNK_TABLES.includes(table);
  return {
    hashRows: () => hashing,
    held: async (chunk) => {
      const { firstKey, lastKey, checksum, rows } = chunk;
      if (checksum === null || typeof firstKey !== "string" || typeof lastKey !== "string") return null;
      // A key the contract does not allow (the server rejects its row): nothing to compare by range.
      if (!STATUS_ID.test(firstKey) || !STATUS_ID.test(lastKey)) return null;
      const server = await api.heldChunk({ table, collector, firstKey, lastKey, rows }).catch(() => null);
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
