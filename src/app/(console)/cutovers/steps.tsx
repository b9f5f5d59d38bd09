// Rendering of a cutover's recorded steps. Figures are whatever the step
// measured: per-table maps become tables, scalars a definition list, so a
// new figure shows up without a console change.
import type { ReactNode } from "react";
import { cutoverStepSchema, type CutoverStep } from "~/shared/schemas/cutover";
import { exportFiguresSchema, importFiguresSchema, validateFiguresSchema } from "~/shared/schemas/cutover-figures";
import { AbsoluteTime } from "../_components/relative-time";
import { StatusBadge } from "../_components/status-badge";
import { formatCount, formatDuration, signed, tableLabel, tableLabels } from "../_lib/format";
import { ExportFigure, ImportFigure, ValidateFigure } from "./step-figures";

const stepOrder = ["freeze", "snapshot", "export", "import", "validate", "restore"];

/** The stored steps that parse, in pipeline order (import passes by number, validate reports as they ran). */
export function parseSteps(raw: unknown): CutoverStep[] {
  const items = Array.isArray(raw) ? raw : [];
  return items
    .map((item) => cutoverStepSchema.safeParse(item))
    .flatMap((r) => (r.success ? [r.data] : []))
    .sort(
      (a, b) =>
        stepOrder.indexOf(a.step) - stepOrder.indexOf(b.step) ||
        (a.pass ?? 0) - (b.pass ?? 0) ||
        Date.parse(a.startedAt) - Date.parse(b.startedAt),
    );
}

const stepTitles: Record<string, string> = {
  freeze: "Freeze the collector",
  snapshot: "Snapshot the SQLite file",
  export: "Export every table",
  import: "Import",
  validate: "Validate counts and spot check",
  restore: "Restore direct ingest",
};

const figureLabels: Record<string, string> = {
  integrityCheck: "Integrity check",
  bytes: "Size (bytes)",
  sha256: "SHA-256",
  pages: "Pages",
  runningJobs: "Jobs running at freeze",
  key: "Key role",
  counts: "Exported rows",
  tables: "Rows per table",
  rejects: "Rejects",
  deltas: "Count deltas (server − snapshot)",
  spotCheck: "Spot check",
};

// PostgreSQL's jsonb does not keep key order: put known columns in reading order.
const columnOrder = [
  "local",
  "server",
  "delta",
  "inserted",
  "updated",
  "unchanged",
  "rejected",
  "count",
  "reason",
  "sampled",
  "matched",
  "mismatched",
  "missing",
];
function byColumnOrder(a: string, b: string): number {
  const ia = columnOrder.indexOf(a);
  const ib = columnOrder.indexOf(b);
  return (ia < 0 ? 99 : ia) - (ib < 0 ? 99 : ib) || a.localeCompare(b);
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

function scalar(v: unknown): ReactNode {
  if (typeof v === "number") return formatCount(v);
  if (typeof v === "string")
    return v.length > 24 && /^[0-9a-f]+$/i.test(v) ? <span className="font-mono text-xs break-all">{v}</span> : v;
  if (typeof v === "boolean") return v ? "yes" : "no";
  if (v === null || v === undefined) return "—";
  if (isRecord(v) && Object.keys(v).length === 0) return "none";
  return <span className="font-mono text-xs">{JSON.stringify(v)}</span>;
}

/** A map of table → number or table → { column: number }, as a table. */
function TableFigure({ label, value }: { label: string; value: Record<string, unknown> }) {
  const order = Object.keys(tableLabels);
  const rank = (t: string) => (order.includes(t) ? order.indexOf(t) : 99);
  const rows = Object.entries(value).sort(([a], [b]) => rank(a) - rank(b));
  const columns = [...new Set(rows.flatMap(([, v]) => (isRecord(v) ? Object.keys(v) : [])))].sort(byColumnOrder);
  if (rows.length === 0) return <p className="text-xs text-slate-500">{label}: none</p>;
  return (
    <div className="overflow-x-auto">
      <table className="w-full min-w-80 text-xs">
        <caption className="mb-1 text-left text-xs font-medium text-slate-600">{label}</caption>
        <thead className="text-slate-500">
          <tr>
            <th scope="col" className="py-0.5 pr-3 text-left font-medium">
              Table
            </th>
            {columns.length === 0 ? (
              <th scope="col" className="py-0.5 text-right font-medium">
                Rows
              </th>
            ) : (
              columns.map((c) => (
                <th key={c} scope="col" className="py-0.5 pl-3 text-right font-medium">
                  {c}
                </th>
              ))
            )}
          </tr>
        </thead>
        <tbody>
          {rows.map(([table, v]) => {
            const bad =
              isRecord(v) &&
              ((typeof v.delta === "number" && v.delta !== 0) ||
                (typeof v.rejected === "number" && v.rejected > 0) ||
                (typeof v.count === "number" && v.count > 0));
            return (
              <tr key={table} className={`border-t border-slate-100 ${bad ? "bg-red-50 text-red-900" : ""}`}>
                <th scope="row" className="py-0.5 pr-3 text-left font-normal">
                  {tableLabel(table)}
                </th>
                {columns.length === 0 ? (
                  <td className="py-0.5 text-right tabular-nums">{scalar(v)}</td>
                ) : (
                  columns.map((c) => {
                    const cell = isRecord(v) ? v[c] : undefined;
                    return (
                      <td
                        key={c}
                        className={`py-0.5 pl-3 tabular-nums ${typeof cell === "string" ? "text-left" : "text-right"}`}
                      >
                        {c === "delta" && typeof cell === "number" ? signed(cell) : scalar(cell)}
                      </td>
                    );
                  })
                )}
              </tr>
            );
          })}
        </tbody>
      </table>
    </div>
  );
}

function Figures({ figures }: { figures: Record<string, unknown> }) {
  const entries = Object.entries(figures);
  if (entries.length === 0) return null;
  const scalars = entries.filter(
    ([, v]) => !isRecord(v) || !Object.values(v).some((x) => typeof x === "number" || isRecord(x)),
  );
  const maps = entries.filter(
    ([, v]) => isRecord(v) && Object.values(v).some((x) => typeof x === "number" || isRecord(x)),
  );
  const tableLike = (v: Record<string, unknown>) => Object.keys(v).some((k) => tableLabel(k) !== k);
  return (
    <div className="mt-2 space-y-3">
      {scalars.length > 0 ? (
        <dl className="grid grid-cols-1 gap-x-6 gap-y-1 text-xs sm:grid-cols-2">
          {scalars.map(([k, v]) => (
            <div key={k} className="min-w-0">
              <dt className="inline text-slate-500">{figureLabels[k] ?? k}: </dt>
              <dd className="inline">{scalar(v)}</dd>
            </div>
          ))}
        </dl>
      ) : null}
      {maps.map(([k, v]) =>
        isRecord(v) && tableLike(v) ? (
          <TableFigure key={k} label={figureLabels[k] ?? k} value={v} />
        ) : (
          <dl key={k} className="flex flex-wrap gap-x-4 gap-y-1 text-xs" aria-label={figureLabels[k] ?? k}>
            <dt className="font-medium text-slate-600">{figureLabels[k] ?? k}:</dt>
            {isRecord(v)
              ? Object.entries(v)
                  .sort(([a], [b]) => byColumnOrder(a, b))
                  .map(([kk, vv]) => (
                    <dd key={kk}>
                      <span className="text-slate-500">{kk} </span>
                      <span className="font-medium tabular-nums">{scalar(vv)}</span>
                    </dd>
                  ))
              : null}
          </dl>
        ),
      )}
    </div>
  );
}

/** The step's own rendering when its figures have the shape the collector records, else the generic one. */
function StepFigures({ step }: { step: CutoverStep }) {
  const { figures } = step;
  if (step.step === "export") {
    const parsed = exportFiguresSchema.safeParse(figures);
    if (parsed.success) return <ExportFigure figures={parsed.data} />;
  }
  if (step.step === "import") {
    const parsed = importFiguresSchema.safeParse(figures);
    if (parsed.success) return <ImportFigure figures={parsed.data} />;
  }
  if (step.step === "validate") {
    const parsed = validateFiguresSchema.safeParse(figures);
    if (parsed.success) return <ValidateFigure figures={parsed.data} />;
  }
  return <Figures figures={figures} />;
}

export function StepList({ steps }: { steps: CutoverStep[] }) {
  const validates = steps.filter((s) => s.step === "validate").length;
  let validateNumber = 0;
  return (
    <ol className="space-y-3">
      {steps.map((s, i) => {
        const n = s.step === "validate" ? ++validateNumber : 0;
        const suffix = s.pass ? ` — pass ${s.pass}` : n ? ` — report ${n} of ${validates}` : "";
        return (
          <li
            key={`${s.step}/${s.pass ?? ""}/${s.startedAt}`}
            className="rounded-md border border-slate-200 bg-white p-3"
            data-testid={`step-${s.step}${s.pass ? `-${s.pass}` : n ? `-${n}` : ""}`}
          >
            <div className="flex flex-wrap items-center gap-x-3 gap-y-1">
              <span
                className="flex size-6 items-center justify-center rounded-full bg-slate-100 text-xs font-medium"
                aria-hidden="true"
              >
                {i + 1}
              </span>
              <h3 className="font-medium">
                {stepTitles[s.step] ?? s.step}
                {suffix}
              </h3>
              <StatusBadge status={s.status} />
              <span className="text-xs text-slate-500">
                {formatDuration(s.finishedAt ? Date.parse(s.finishedAt) - Date.parse(s.startedAt) : null)}
              </span>
              <span className="ml-auto">
                <AbsoluteTime date={new Date(s.startedAt)} relative={false} />
              </span>
            </div>
            {s.message ? (
              <p className={`mt-1 text-sm ${s.status === "failed" ? "font-medium text-red-800" : "text-slate-700"}`}>
                {s.message}
              </p>
            ) : null}
            <StepFigures step={s} />
          </li>
        );
      })}
    </ol>
  );
}
