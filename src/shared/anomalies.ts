// The anomalies of one item, from the rules the table catalog attaches to its
// columns (anomaly-rules.ts): "column: what is unusual", in column order. The
// server's ingest stores them with the row; the collector's import dry run
// counts them the same way.
import type { AnomalyRule } from "./anomaly-rules";
import { perTable, type SyncTable } from "./table-catalog";

const checks = perTable((spec) =>
  Object.entries(spec.columns).flatMap(([name, col]) =>
    (col.anomalies ?? []).map((rule: AnomalyRule) => ({ name, rule, note: `${name}: ${rule.message}` })),
  ),
);

/** The anomalies of a validated item (its columns parsed by the item schema), or [] when there are none. */
export function anomaliesOf(table: SyncTable, item: Readonly<Record<string, unknown>>): string[] {
  const found: string[] = [];
  for (const { name, rule, note } of checks[table]) {
    const value = item[name];
    if (value !== null && value !== undefined && rule.applies(value)) found.push(note);
  }
  return found;
}
