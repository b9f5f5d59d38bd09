// The server's copies of rows by natural key (cutover.rowsByKeys), for the
// dry run and the spot check, in chunks of the server's 1,000-key limit. The
// collector's client sends queries as POST, so a chunk's size is not bounded
// by the URL.
import { syncTables, type SyncTable } from "~/shared/schemas/tables";
import type { IngestApi } from "../ingest/ingest-api";
import { retry, type RetryOptions } from "../ingest/retry";

const MAX_KEYS = 1000;

export function keyChunks(keys: readonly string[], maxKeys = MAX_KEYS): string[][] {
  const chunks: string[][] = [];
  for (let i = 0; i < keys.length; i += maxKeys) chunks.push(keys.slice(i, i + maxKeys));
  return chunks;
}

export async function fetchServerRows(
  api: IngestApi,
  table: SyncTable,
  keys: readonly string[],
  retryOptions?: RetryOptions,
): Promise<Map<string, Record<string, unknown>>> {
  const byKey = new Map<string, Record<string, unknown>>();
  for (const chunk of keyChunks(keys)) {
    const rows = await retry(() => api.rowsByKeys({ table, keys: chunk }), retryOptions);
    for (const row of rows) byKey.set(String(row[syncTables[table].key]), row);
  }
  return byKey;
}
