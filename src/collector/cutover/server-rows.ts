// The server's copies of rows by natural key (cutover.rowsByKeys), for the
// dry run and the spot check. The call is a tRPC query, so its keys travel in
// the URL: chunks are bounded by encoded length as well as by the server's
// 1,000-key limit, keeping each request line well under Node's 16 KB header cap.
import { syncTables, type SyncTable } from "~/shared/schemas/tables";
import type { IngestApi } from "../ingest/ingest-api";
import { retry, type RetryOptions } from "../ingest/retry";

const MAX_KEYS = 1000;
const MAX_ENCODED_CHARS = 6000;

export function keyChunks(keys: readonly string[], options: { maxKeys?: number; maxChars?: number } = {}): string[][] {
  const maxKeys = options.maxKeys ?? MAX_KEYS;
  const maxChars = options.maxChars ?? MAX_ENCODED_CHARS;
  const chunks: string[][] = [];
  let chunk: string[] = [];
  let chars = 0;
  for (const key of keys) {
    const size = encodeURIComponent(JSON.stringify(key)).length + 3;
    if (chunk.length > 0 && (chunk.length >= maxKeys || chars + size > maxChars)) {
      chunks.push(chunk);
      chunk = [];
      chars = 0;
    }
    chunk.push(key);
    chars += size;
  }
  if (chunk.length > 0) chunks.push(chunk);
  return chunks;
}

export async function fetchServerRows(api: IngestApi, table: SyncTable, keys: readonly string[], retryOptions?: RetryOptions): Promise<Map<string, Record<string, unknown>>> {
  const byKey = new Map<string, Record<string, unknown>>();
  for (const chunk of keyChunks(keys)) {
    const rows = await retry(() => api.rowsByKeys({ table, keys: chunk }), retryOptions);
    for (const row of rows) byKey.set(String(row[syncTables[table].key]), row);
  }
  return byKey;
}
