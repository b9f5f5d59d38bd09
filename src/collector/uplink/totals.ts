// Per-table counts as the server answers them, added up one way everywhere.
import type { TableResult } from "~/shared/schemas/ingest";
import { syncTableNames, type SyncTable } from "~/shared/schemas/tables";

export function zeroTableResult(): TableResult {
  return { inserted: 0, updated: 0, unchanged: 0, rejected: 0, anomalies: 0 };
}

export function zeroTableResults(): Record<SyncTable, TableResult> {
  return Object.fromEntries(syncTableNames.map((t) => [t, zeroTableResult()])) as Record<SyncTable, TableResult>;
}

export function addTableResult(into: TableResult, add: TableResult): void {
  into.inserted += add.inserted;
  into.updated += add.updated;
  into.unchanged += add.unchanged;
  into.rejected += add.rejected;
  // A checkpoint or a server from before anomalies were counted has none.
  into.anomalies = (into.anomalies ?? 0) + (add.anomalies ?? 0);
}

export function describeTotals(tables: Record<SyncTable, TableResult>): string {
  const parts = syncTableNames
    .filter((t) => Object.values(tables[t]).some((n) => n > 0))
    .map((t) => `${t}=${tables[t].inserted}/${tables[t].updated}/${tables[t].unchanged}/${tables[t].rejected}`);
  const anomalies = syncTableNames.reduce((sum, t) => sum + (tables[t].anomalies ?? 0), 0);
  const note = anomalies ? `; ${anomalies} rows stored with anomalies (values X would not issue)` : "";
  return parts.length ? `${parts.join(" ")} (inserted/updated/unchanged/rejected)${note}` : "nothing changed";
}
