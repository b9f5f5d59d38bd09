// The import's dry run: every item validated with the shared schemas, and
// the server asked what it holds for those keys, to count what a real pass
// would insert, update, leave unchanged or reject, and how many rows carry
// anomalies (the server's rules, shared). Writes nothing, on the server or
// in the export.
import path from "node:path";
import { anomaliesOf } from "~/shared/anomalies";
import { ROWS_BY_KEYS_MAX_KEYS } from "~/shared/schemas/cutover";
import { syncTables, type SyncTable } from "~/shared/schemas/tables";
import type { IngestAccess } from "../uplink/server-client";
import { zeroTableResult } from "../uplink/totals";
import { parseLocalItem, wouldUpdate } from "./compare";
import type { ImportOptions, ImportResult, ImportTableResult } from "./import";
import { DEFAULT_MAX_LINE_BYTES, readLineBatches } from "./jsonl-reader";
import type { ExportManifest } from "./paths";
import { fetchServerRows } from "./server-rows";

export async function dryRunImport(
  options: ImportOptions,
  manifest: ExportManifest,
  access: IngestAccess,
): Promise<ImportResult> {
  const result: ImportResult = {
    pass: 0,
    role: access.role,
    keyPrefix: access.keyPrefix,
    dryRun: true,
    resumed: false,
    interrupted: false,
    tables: {} as Record<SyncTable, ImportTableResult>,
    rejected: 0,
    rejectLog: null,
    batches: 0,
    replayedBatches: 0,
    heldBatches: 0,
  };
  await options.onPassStart?.({
    pass: 0,
    role: access.role,
    keyPrefix: access.keyPrefix,
    resumed: false,
    rejectLog: null,
  });
  for (const entry of manifest.files) {
    const table = entry.table;
    const totals = zeroTableResult();
    let rows = 0;
    const writable = access.writableTables.includes(table);
    const limits = {
      skipLines: 0,
      maxItems: ROWS_BY_KEYS_MAX_KEYS,
      maxBytes: Number.MAX_SAFE_INTEGER,
      maxLineBytes: options.maxLineBytes ?? DEFAULT_MAX_LINE_BYTES,
    };
    for await (const batch of readLineBatches(path.join(options.exportDir, entry.file), limits)) {
      if (options.signal?.aborted) {
        result.interrupted = true;
        break;
      }
      rows = batch.endLine;
      totals.rejected += batch.unreadable.length;
      if (!writable) {
        totals.rejected += batch.items.length;
        continue;
      }
      const valid = new Map<string, Record<string, unknown>>();
      for (const raw of batch.items) {
        const parsed = parseLocalItem(table, raw);
        if (!parsed.ok) totals.rejected++;
        else valid.set(String(parsed.item[syncTables[table].key]), parsed.item);
        if (parsed.ok && anomaliesOf(table, parsed.item).length > 0) totals.anomalies++;
      }
      if (valid.size === 0) continue;
      const byKey = await fetchServerRows(options.api, table, [...valid.keys()], options.collector);
      for (const [key, item] of valid) {
        const existing = byKey.get(key);
        if (!existing) totals.inserted++;
        else if (wouldUpdate(item, existing)) totals.updated++;
        else totals.unchanged++;
      }
      result.batches++;
      options.onProgress?.({
        table,
        sqlite: entry.sqlite,
        rows,
        total: entry.rows,
        totals: { ...totals },
        done: false,
      });
    }
    options.onProgress?.({ table, sqlite: entry.sqlite, rows, total: entry.rows, totals: { ...totals }, done: true });
    result.tables[table] = { ...totals, rows };
    result.rejected += totals.rejected;
    if (result.interrupted) break;
  }
  return result;
}
