// The server's copies of rows by natural key (cutover.rowsByKeys), for the
// dry run and the spot check, keyed for lookup. The client asks in calls of
// the server's key limit. With a collector, the rows of the tables the
// collectors own are that collector's (docs/decisions/012).
import { syncTables, type SyncTable } from "~/shared/schemas/tables";
import type { ServerClient } from "../uplink/server-client";

export async function fetchServerRows(
  api: ServerClient,
  table: SyncTable,
  keys: readonly string[],
  collector?: string,
): Promise<Map<string, Record<string, unknown>>> {
  const byKey = new Map<string, Record<string, unknown>>();
  for (const row of await api.rowsByKeys({ table, keys, collector }))
    byKey.set(String(row[syncTables[table].key]), row);
  return byKey;
}
