// The figures of the export, import and validate steps, read with the shared
// schemas the collector writes them with (src/shared/schemas/cutover-figures.ts):
// the export's rows per file, each import pass's counts and reject reasons by
// table, and validate's signed deltas (server − snapshot) and spot check.
import type { ReactNode } from "react";
import type { ExportFigures, ImportFigures, ValidateFigures } from "~/shared/schemas/cutover-figures";
import { formatCount, signed } from "../_lib/format";
import { catalogTableLabel, inCatalogOrder } from "./table-names";

const cell = "py-0.5 pl-3 text-right tabular-nums";
const bad = "bg-red-50 text-red-900";

function FigureTable(props: {
  caption: string;
  testId: string;
  columns: string[];
  /** Columns of text (left-aligned); the rest are figures. */
  textColumns?: string[];
  rows: { key: string; cells: ReactNode[]; flagged?: boolean; head?: ReactNode }[];
}) {
  return (
    <div className="overflow-x-auto">
      <table className="w-full min-w-80 text-xs" data-testid={props.testId}>
        <caption className="mb-1 text-left text-xs font-medium text-slate-600">{props.caption}</caption>
        <thead className="text-slate-500">
          <tr>
            {props.columns.map((c, i) => (
              <th
                key={c}
                scope="col"
                className={`py-0.5 font-medium ${i === 0 ? "pr-3" : "pl-3"} ${i === 0 || props.textColumns?.includes(c) ? "text-left" : "text-right"}`}
              >
                {c}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {props.rows.map((r) => (
            <tr
              key={r.key}
              data-flagged={r.flagged ? "true" : undefined}
              className={`border-t border-slate-100 ${r.flagged ? bad : ""}`}
            >
              <th scope="row" className="py-0.5 pr-3 text-left font-normal">
                {r.head ?? catalogTableLabel(r.key)}
              </th>
              {r.cells.map((c, i) => (
                <td key={i} className={cell}>
                  {c}
                </td>
              ))}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

function Facts({ items }: { items: [string, ReactNode][] }) {
  return (
    <dl className="grid grid-cols-1 gap-x-6 gap-y-1 text-xs sm:grid-cols-2">
      {items.map(([k, v]) => (
        <div key={k} className="min-w-0">
          <dt className="inline text-slate-500">{k}: </dt>
          <dd className="inline break-all">{v}</dd>
        </div>
      ))}
    </dl>
  );
}

export function ExportFigure({ figures }: { figures: ExportFigures }) {
  const rows = inCatalogOrder(figures.tables);
  return (
    <div className="mt-2 space-y-3">
      <Facts
        items={[
          [
            "Export folder",
            <span key="d" className="font-mono">
              {figures.dir}
            </span>,
          ],
        ]}
      />
      <FigureTable
        caption="Export: rows written per table"
        testId="export-table"
        columns={["Table", "rows", "bytes"]}
        rows={rows.map(([table, t]) => ({ key: table, cells: [formatCount(t.rows), formatCount(t.bytes)] }))}
      />
    </div>
  );
}

export function ImportFigure({ figures }: { figures: ImportFigures }) {
  const pass = figures.pass ? `Pass ${figures.pass} (${figures.role} key)` : `Dry run (${figures.role} key)`;
  const reasons = figures.rejectReasons;
  const reasonRows = reasons
    ? inCatalogOrder(reasons).flatMap(([table, byReason]) =>
        Object.entries(byReason)
          .sort(([ra, a], [rb, b]) => b - a || ra.localeCompare(rb))
          .map(([reason, n]) => ({ table, reason, n })),
      )
    : [];
  return (
    <div className="mt-2 space-y-3">
      <Facts
        items={[
          ["Key", `${figures.keyPrefix} (role ${figures.role})`],
          ["Rejected", formatCount(figures.rejected)],
          [
            "Batches",
            `${formatCount(figures.batches)} (${formatCount(figures.replayedBatches)} replayed)${figures.heldBatches ? `; ${formatCount(figures.heldBatches)} chunks already held, not sent` : ""}`,
          ],
          ["Resumed", figures.resumed ? "yes" : "no"],
          ...(figures.rejectLog
            ? ([
                [
                  "Reject log",
                  <span key="l" className="font-mono">
                    {figures.rejectLog}
                  </span>,
                ],
              ] as [string, ReactNode][])
            : []),
        ]}
      />
      <FigureTable
        caption={`${pass}: rows per table`}
        testId={`import-table-${figures.pass ?? "dry"}`}
        columns={["Table", "inserted", "updated", "unchanged", "rejected"]}
        rows={inCatalogOrder(figures.tables).map(([table, t]) => ({
          key: table,
          flagged: t.rejected > 0,
          cells: [t.inserted, t.updated, t.unchanged, t.rejected].map((n) => formatCount(n)),
        }))}
      />
      {reasons === undefined ? null : reasonRows.length === 0 ? (
        <p className="text-xs text-slate-600" data-testid={`reject-reasons-${figures.pass ?? "dry"}`}>
          Reject reasons by table: none (no row rejected).
        </p>
      ) : (
        <FigureTable
          caption={`${pass}: reject reasons by table`}
          testId={`reject-reasons-${figures.pass ?? "dry"}`}
          columns={["Table", "reason", "rows"]}
          textColumns={["reason"]}
          rows={reasonRows.map((r) => ({
            key: `${r.table}/${r.reason}`,
            head: catalogTableLabel(r.table),
            flagged: true,
            cells: [
              <span key="r" className="block text-left">
                {r.reason}
              </span>,
              formatCount(r.n),
            ],
          }))}
        />
      )}
    </div>
  );
}

export function ValidateFigure({ figures }: { figures: ValidateFigures }) {
  const counts = figures.counts;
  const deltaRows = counts
    ? inCatalogOrder(counts).map(([table, c]) => ({
        key: table,
        flagged: c.delta !== 0,
        cells: [formatCount(c.snapshot), formatCount(c.server), signed(c.delta)],
      }))
    : inCatalogOrder(figures.deltas).map(([table, d]) => ({ key: table, flagged: d !== 0, cells: [signed(d)] }));
  const spot = inCatalogOrder(figures.spotCheck.tables);
  return (
    <div className="mt-2 space-y-3">
      <FigureTable
        caption="Count deltas (server − snapshot): + rows only the server has, − rows the server lacks"
        testId="validate-deltas"
        columns={counts ? ["Table", "snapshot", "server", "delta"] : ["Table", "delta"]}
        rows={deltaRows}
      />
      <FigureTable
        caption={`Spot check: up to ${formatCount(figures.spotCheck.sample)} rows per table, field by field`}
        testId="validate-spot-check"
        columns={["Table", "checked", "missing", "mismatches", "newer on server"]}
        rows={spot.map(([table, t]) => ({
          key: table,
          flagged: t.missing > 0 || t.mismatches > 0,
          cells: [t.checked, t.missing, t.mismatches, t.newerOnServer ?? 0].map((n) => formatCount(n)),
        }))}
      />
      <Facts
        items={[
          [
            "Report",
            <span key="r" className="font-mono">
              {figures.report}
            </span>,
          ],
          [
            "Ignored runs",
            figures.ignoredRuns.length === 0 ? "none" : figures.ignoredRuns.map((r) => r.runId).join(", "),
          ],
        ]}
      />
    </div>
  );
}
