// Small hand-written SVG charts: no chart library for three charts. Each has
// a text alternative (a <title>, a <desc> and per-bar titles) so the figures
// are not locked in the picture.
import { formatCount, signed, tableLabel } from "../_lib/format";

function hourLabel(d: Date): string {
  return `${String(d.getUTCHours()).padStart(2, "0")}:00`;
}

export type VolumePoint = { hour: Date; inserted: number; updated: number; rejected: number; batches: number };

export function VolumeChart({ points, title }: { points: VolumePoint[]; title: string }) {
  const width = 720;
  const height = 160;
  const pad = { left: 40, right: 8, top: 8, bottom: 22 };
  const max = Math.max(1, ...points.map((p) => p.inserted + p.updated + p.rejected));
  const slot = (width - pad.left - pad.right) / Math.max(1, points.length);
  const y = (v: number) => pad.top + (height - pad.top - pad.bottom) * (1 - v / max);
  const total = points.reduce(
    (acc, p) => ({
      inserted: acc.inserted + p.inserted,
      updated: acc.updated + p.updated,
      rejected: acc.rejected + p.rejected,
      batches: acc.batches + p.batches,
    }),
    { inserted: 0, updated: 0, rejected: 0, batches: 0 },
  );
  return (
    <figure className="rounded-md border border-slate-200 bg-white p-3">
      <figcaption className="mb-2 flex flex-wrap items-center gap-x-4 gap-y-1 text-xs text-slate-600">
        <span className="font-medium text-slate-800">{title}</span>
        <span>
          <span aria-hidden="true" className="mr-1 inline-block size-2 rounded-sm bg-sky-600" />
          inserted {formatCount(total.inserted)}
        </span>
        <span>
          <span aria-hidden="true" className="mr-1 inline-block size-2 rounded-sm bg-sky-300" />
          updated {formatCount(total.updated)}
        </span>
        <span>
          <span aria-hidden="true" className="mr-1 inline-block size-2 rounded-sm bg-red-500" />
          rejected {formatCount(total.rejected)}
        </span>
        <span>{formatCount(total.batches)} batches</span>
      </figcaption>
      <svg
        viewBox={`0 0 ${width} ${height}`}
        className="h-40 w-full"
        role="img"
        aria-labelledby="volume-title volume-desc"
        preserveAspectRatio="none"
      >
        <title id="volume-title">{title}</title>
        <desc id="volume-desc">{`Rows inserted, updated and rejected per hour (UTC). Total: ${total.inserted} inserted, ${total.updated} updated, ${total.rejected} rejected in ${total.batches} batches.`}</desc>
        {[0, 0.5, 1].map((f) => (
          <g key={f}>
            <line
              x1={pad.left}
              x2={width - pad.right}
              y1={y(max * f)}
              y2={y(max * f)}
              stroke="#e2e8f0"
              strokeWidth="1"
            />
            <text x={pad.left - 4} y={y(max * f) + 3} textAnchor="end" fontSize="9" fill="#64748b">
              {formatCount(Math.round(max * f))}
            </text>
          </g>
        ))}
        {points.map((p, i) => {
          const x = pad.left + i * slot + slot * 0.15;
          const w = slot * 0.7;
          const insTop = y(p.inserted);
          const updTop = y(p.inserted + p.updated);
          const rejTop = y(p.inserted + p.updated + p.rejected);
          return (
            <g key={p.hour.getTime()}>
              <title>{`${hourLabel(p.hour)} UTC: ${p.inserted} inserted, ${p.updated} updated, ${p.rejected} rejected, ${p.batches} batches`}</title>
              <rect x={x} y={insTop} width={w} height={y(0) - insTop} fill="#0284c7" />
              <rect x={x} y={updTop} width={w} height={insTop - updTop} fill="#7dd3fc" />
              <rect x={x} y={rejTop} width={w} height={updTop - rejTop} fill="#ef4444" />
              {i % 3 === 0 ? (
                <text x={x + w / 2} y={height - 6} textAnchor="middle" fontSize="9" fill="#64748b">
                  {hourLabel(p.hour)}
                </text>
              ) : null}
            </g>
          );
        })}
      </svg>
    </figure>
  );
}

// No red among the lines: red marks a FAIL.
const lineColours = ["#0284c7", "#9333ea", "#16a34a", "#0d9488", "#ea580c", "#ca8a04", "#4b5563"];

export type DeltaPoint = { at: Date; passed: boolean; deltas: Record<string, number> };

/** Per-table delta (local − server) over time, one line per table, FAIL points marked. */
export function DeltaChart({ points, tables }: { points: DeltaPoint[]; tables: string[] }) {
  const width = 720;
  const height = 200;
  const pad = { left: 40, right: 10, top: 10, bottom: 24 };
  if (points.length === 0) return null;
  const values = points.flatMap((p) => tables.map((t) => p.deltas[t] ?? 0));
  const max = Math.max(1, ...values);
  const min = Math.min(0, ...values);
  const t0 = points[0]!.at.getTime();
  const t1 = points[points.length - 1]!.at.getTime();
  const x = (t: number) => pad.left + (t1 === t0 ? 0.5 : (t - t0) / (t1 - t0)) * (width - pad.left - pad.right);
  const y = (v: number) => pad.top + (height - pad.top - pad.bottom) * (1 - (v - min) / (max - min || 1));
  const failing = points.filter((p) => !p.passed).length;
  return (
    <figure className="rounded-md border border-slate-200 bg-white p-3">
      <figcaption className="mb-2 flex flex-wrap gap-x-4 gap-y-1 text-xs text-slate-600">
        <span className="font-medium text-slate-800">Delta per table (local − server)</span>
        {tables.map((t, i) => (
          <span key={t}>
            <span
              aria-hidden="true"
              className="mr-1 inline-block size-2 rounded-sm"
              style={{ background: lineColours[i % lineColours.length] }}
            />
            {tableLabel(t)}
          </span>
        ))}
        <span>
          <span aria-hidden="true" className="mr-1 inline-block size-2 rotate-45 bg-red-600" />
          FAIL
        </span>
      </figcaption>
      <svg
        viewBox={`0 0 ${width} ${height}`}
        className="h-48 w-full"
        role="img"
        aria-labelledby="delta-title delta-desc"
        preserveAspectRatio="none"
      >
        <title id="delta-title">Reconcile deltas over time</title>
        <desc id="delta-desc">{`${points.length} reconcile results, ${failing} failed. Largest delta ${max}.`}</desc>
        <line x1={pad.left} x2={width - pad.right} y1={y(0)} y2={y(0)} stroke="#94a3b8" strokeWidth="1" />
        <text x={pad.left - 4} y={y(0) + 3} textAnchor="end" fontSize="9" fill="#64748b">
          0
        </text>
        <text x={pad.left - 4} y={y(max) + 3} textAnchor="end" fontSize="9" fill="#64748b">
          {signed(max)}
        </text>
        {min < 0 ? (
          <text x={pad.left - 4} y={y(min) + 3} textAnchor="end" fontSize="9" fill="#64748b">
            {signed(min)}
          </text>
        ) : null}
        {tables.map((t, i) => (
          <polyline
            key={t}
            fill="none"
            stroke={lineColours[i % lineColours.length]}
            strokeWidth="1.5"
            points={points.map((p) => `${x(p.at.getTime())},${y(p.deltas[t] ?? 0)}`).join(" ")}
          />
        ))}
        {points.map((p) => (
          <g key={p.at.getTime()}>
            <title>{`${p.at.toISOString().slice(0, 16).replace("T", " ")} UTC: ${p.passed ? "PASS" : "FAIL"} ${tables.map((t) => `${tableLabel(t)} ${signed(p.deltas[t] ?? 0)}`).join(", ")}`}</title>
            {p.passed ? (
              <circle cx={x(p.at.getTime())} cy={y(0)} r="2.5" fill="#16a34a" />
            ) : (
              <rect
                x={x(p.at.getTime()) - 4}
                y={y(Math.max(...tables.map((t) => p.deltas[t] ?? 0))) - 4}
                width="8"
                height="8"
                fill="#dc2626"
                transform={`rotate(45 ${x(p.at.getTime())} ${y(Math.max(...tables.map((t) => p.deltas[t] ?? 0)))})`}
              />
            )}
          </g>
        ))}
        <text x={pad.left} y={height - 6} fontSize="9" fill="#64748b">
          {points[0]!.at.toISOString().slice(0, 10)}
        </text>
        <text x={width - pad.right} y={height - 6} textAnchor="end" fontSize="9" fill="#64748b">
          {points[points.length - 1]!.at.toISOString().slice(0, 10)}
        </text>
      </svg>
    </figure>
  );
}
