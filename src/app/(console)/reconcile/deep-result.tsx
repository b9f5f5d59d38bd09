// The content check of one reconcile (collector reconcile --deep): per table
// the segments compared and the keys missing on the server, extra there and
// different (named up to 20 each, with exact totals), posts linking to their
// page. Rows newer on the server (another collector's version) are shown
// apart: they are not differences.
import Link from "next/link";
import { deepResultSchema, type DeepResult, type DeepTableResult } from "~/shared/schemas/deep-reconcile";
import { DataTable, TableHead, num, td, tdNum } from "../_components/states";
import { StatusBadge } from "../_components/status-badge";
import { formatCount, inTableOrder, tableLabel } from "../_lib/format";

/** The stored JSON as a deep result, or null when the reconcile did not compare content. */
export function parseDeep(value: unknown): DeepResult | null {
  const parsed = deepResultSchema.safeParse(value);
  return parsed.success ? parsed.data : null;
}

export const deepDifferences = (r: DeepTableResult): number => r.missing.total + r.extra.total + r.different.total;

/** One line for the history table: "—" without a content check. */
export function deepSummary(deep: DeepResult | null): string {
  if (!deep) return "—";
  const off = inTableOrder(deep.tables).filter(([, r]) => deepDifferences(r) > 0);
  const repaired = deep.repaired ? " (after repair)" : "";
  if (off.length === 0) return `PASS${repaired}`;
  return `${off.map(([t, r]) => `${tableLabel(t)} ${deepDifferences(r)}`).join(", ")}${repaired}`;
}

const kinds = [
  ["missing", "Missing on server"],
  ["extra", "Extra on server"],
  ["different", "Different"],
  ["newerOnServer", "Newer on server (not a difference)"],
] as const;

function Keys({ table, found }: { table: string; found: { total: number; keys: string[] } }) {
  return (
    <span className="font-mono text-xs">
      {found.keys.map((key, i) => (
        <span key={key}>
          {i > 0 ? ", " : null}
          {table === "posts" ? (
            <Link href={`/posts/${encodeURIComponent(key)}`} className="text-sky-700 underline">
              {key}
            </Link>
          ) : (
            key
          )}
        </span>
      ))}
      {found.total > found.keys.length ? (
        <span className="text-slate-500"> … and {formatCount(found.total - found.keys.length)} more</span>
      ) : null}
    </span>
  );
}

export function DeepResultPanel({ deep }: { deep: DeepResult }) {
  const tables = inTableOrder(deep.tables);
  const segments = tables.reduce((sum, [, r]) => sum + r.segments, 0);
  const named = tables.flatMap(([table, r]) =>
    kinds.filter(([kind]) => r[kind].total > 0).map(([kind, label]) => ({ table, kind, label, found: r[kind] })),
  );
  return (
    <div className="mt-4 space-y-3" data-testid="deep-result">
      <div className="flex flex-wrap items-center gap-x-4 text-sm">
        <span className="font-semibold">Content check</span>
        <StatusBadge status={deep.passed ? "pass" : "fail"} label={deep.passed ? "PASS" : "FAIL"} />
        {deep.repaired ? <span className="text-xs text-slate-500">second check, after a repair</span> : null}
        <span className="text-xs text-slate-500">
          {formatCount(segments)} segments compared in {(deep.durationMs / 1000).toFixed(1)} s
        </span>
      </div>
      <DataTable caption="Per-table content check of the latest reconcile">
        <TableHead
          columns={[
            "Table",
            num("Local"),
            num("Server"),
            num("Segments"),
            num("Missing"),
            num("Extra"),
            num("Different"),
            num("Newer on server"),
          ]}
        />
        <tbody>
          {tables.map(([table, r]) => (
            <tr key={table} className={`border-t border-slate-100 ${deepDifferences(r) > 0 ? "bg-red-50" : ""}`}>
              <th scope="row" className={`${td} font-normal`}>
                {tableLabel(table)}
              </th>
              <td className={tdNum}>{formatCount(r.local)}</td>
              <td className={tdNum}>{formatCount(r.server)}</td>
              <td className={tdNum}>{formatCount(r.segments)}</td>
              <td className={tdNum}>{formatCount(r.missing.total)}</td>
              <td className={tdNum}>{formatCount(r.extra.total)}</td>
              <td className={tdNum}>{formatCount(r.different.total)}</td>
              <td className={tdNum}>{formatCount(r.newerOnServer.total)}</td>
            </tr>
          ))}
        </tbody>
      </DataTable>
      {named.length > 0 ? (
        <ul className="space-y-1 text-sm" aria-label="Keys off">
          {named.map(({ table, kind, label, found }) => (
            <li key={`${table}-${kind}`} data-testid={`deep-${table}-${kind}`}>
              <span className="text-slate-700">
                {tableLabel(table)}, {label.toLowerCase()} ({formatCount(found.total)}):{" "}
              </span>
              <Keys table={table} found={found} />
            </li>
          ))}
        </ul>
      ) : null}
    </div>
  );
}
