// Rows the server holds that the snapshot lacks, by key: for each table whose
// count is higher on the server, its keys are walked page by page (bounded
// pages, only for those tables) and looked up in the snapshot, so validate
// can name them (a smoke test's synthetic run among them) and say how to
// remove them.
import type Database from "better-sqlite3";
import { syncTables, type SyncTable } from "~/shared/schemas/tables";
import type { ServerClient } from "../uplink/server-client";

/** Keys listed per table (the count is always complete). */
export const EXTRA_KEYS_LISTED = 20;

export type ExtraRun = { runId: string; mode: string; runAt: string };
export type ExtraOnServer = {
  table: SyncTable;
  sqlite: string;
  count: number;
  keys: string[];
  /** For runs: what each extra run is (mode, run_at), so the operator recognises a smoke test's row. */
  runs?: ExtraRun[];
};

export async function findExtraOnServer(options: {
  api: ServerClient;
  snapshot: { db: Database.Database; has(table: string): boolean };
  tables: readonly SyncTable[];
  ignore?: readonly string[];
}): Promise<ExtraOnServer[]> {
  const out: ExtraOnServer[] = [];
  for (const table of options.tables) {
    const { sqlite, key } = syncTables[table];
    const lookup = options.snapshot.has(sqlite)
      ? options.snapshot.db.prepare(`select 1 from ${sqlite} where ${key} = ?`)
      : undefined;
    const found: ExtraOnServer = { table, sqlite, count: 0, keys: [] };
    for await (const page of options.api.serverKeys(table)) {
      for (const k of page) {
        if (table === "pipelineRuns" && options.ignore?.includes(k)) continue;
        if (lookup?.get(k) !== undefined) continue;
        found.count++;
        if (found.keys.length < EXTRA_KEYS_LISTED) found.keys.push(k);
      }
    }
    if (found.count === 0) continue;
    if (table === "pipelineRuns") {
      const rows = await options.api.rowsByKeys({ table, keys: found.keys });
      found.runs = rows.map((r) => ({ runId: String(r.run_id), mode: String(r.mode), runAt: String(r.run_at) }));
    }
    out.push(found);
  }
  return out;
}

/** The command that removes an extra run (admin key), as validate prints it. */
export function removeRunCommand(runId: string): string {
  return `collector --api-key-file <admin key file> runs remove ${runId} --reason "not in the cutover snapshot" --yes`;
}
