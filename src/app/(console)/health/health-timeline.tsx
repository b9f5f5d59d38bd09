"use client";
import { useQuery } from "@tanstack/react-query";
import type { inferRouterOutputs } from "@trpc/server";
import type { AppRouter } from "~/server/api/root";
import { useTRPC } from "~/trpc/react";
import { AbsoluteTime, RelativeTime } from "../_components/relative-time";
import { EmptyState, ErrorState, Skeleton } from "../_components/states";
import { StatusBadge } from "../_components/status-badge";

type Timeline = inferRouterOutputs<AppRouter>["health"]["timeline"];
type Row = Timeline["rows"][number];
type Bucket = Row["buckets"][number];

function cellClass(b: Bucket): string {
  if (b.ingestFailure) return "bg-red-500";
  if (b.failedRuns > 0 && b.batches === 0) return "bg-red-300";
  if (b.failedRuns > 0 || b.partial > 0) return "bg-amber-400";
  if (b.batches > 0) return "bg-emerald-500";
  return "bg-slate-200";
}

function cellLabel(b: Bucket): string {
  const hour = `${b.hour.toISOString().slice(0, 13).replace("T", " ")}:00 UTC`;
  const parts = [`${b.batches} ingest batch${b.batches === 1 ? "" : "es"}`];
  if (b.partial) parts.push(`${b.partial} partial (${b.rejected} rejected rows)`);
  if (b.runs) parts.push(`${b.runs} run${b.runs === 1 ? "" : "s"}, ${b.failedRuns} failed`);
  if (b.ingestFailure) parts.push("last ingest failure reported in this hour");
  return `${hour}: ${parts.join("; ")}`;
}

function Strip({ row }: { row: Row }) {
  return (
    <div>
      <ol className="flex h-6 gap-px" aria-label={`Hourly ingest for ${row.collector} ${row.mode}, oldest first`}>
        {row.buckets.map((b) => (
          <li
            key={b.hour.getTime()}
            title={cellLabel(b)}
            aria-label={cellLabel(b)}
            className={`flex-1 rounded-sm ${cellClass(b)}`}
          />
        ))}
      </ol>
      <div className="mt-0.5 flex justify-between text-[10px] text-slate-500">
        <span>{row.buckets[0]?.hour.toISOString().slice(5, 13).replace("T", " ")}:00</span>
        <span>now</span>
      </div>
    </div>
  );
}

function Episode({ row }: { row: Row }) {
  const e = row.episode;
  if (!e) return <p className="text-xs text-slate-500">No failure on record.</p>;
  return (
    <div
      className={`rounded border px-2 py-1.5 text-xs ${e.resetAt ? "border-slate-200 bg-slate-50" : e.thresholdReached ? "border-red-200 bg-red-50 text-red-950" : "border-amber-200 bg-amber-50 text-amber-950"}`}
      data-testid="episode"
    >
      <p className="font-medium">
        {e.resetAt
          ? `Last failure episode: reset (${e.failures} consecutive failure${e.failures === 1 ? "" : "s"}${e.thresholdReached ? ", alert reached" : ""})`
          : e.thresholdReached
            ? `Alert: threshold reached (${e.consecutiveFailures} ≥ ${row.threshold})`
            : `Failing: ${e.consecutiveFailures} of ${row.threshold} before alert`}
      </p>
      <ul className="mt-1 space-y-0.5">
        {e.failingAfter ? (
          <li>
            Failing since after the success <RelativeTime date={e.failingAfter} />
          </li>
        ) : e.resetAt ? null : (
          <li>No success on record before the failures</li>
        )}
        {e.lastFailureAt ? (
          <li>
            Last failure <RelativeTime date={e.lastFailureAt} />
          </li>
        ) : null}
        {e.resetAt ? (
          <li>
            Reset by the success <RelativeTime date={e.resetAt} />
          </li>
        ) : null}
        {e.lastError ? <li className="font-mono break-words">{e.lastError}</li> : null}
      </ul>
    </div>
  );
}

function PastEpisodes({ row }: { row: Row }) {
  if (row.pastEpisodes.length === 0) return null;
  return (
    <details className="mt-2 text-xs" data-testid="past-episodes">
      <summary className="cursor-pointer text-slate-600">
        {row.pastEpisodes.length} earlier failure episode{row.pastEpisodes.length === 1 ? "" : "s"} in this window (
        {row.pastEpisodes.filter((e) => e.thresholdReached).length} reached the alert)
      </summary>
      <table className="mt-1 w-full text-left">
        <thead className="text-slate-500">
          <tr>
            <th scope="col" className="px-2 py-1 font-medium">
              Episode
            </th>
            <th scope="col" className="px-2 py-1 font-medium">
              First failure
            </th>
            <th scope="col" className="px-2 py-1 font-medium">
              Last failure
            </th>
            <th scope="col" className="px-2 py-1 font-medium">
              Reset by the success
            </th>
            <th scope="col" className="px-2 py-1 font-medium">
              Last error
            </th>
          </tr>
        </thead>
        <tbody>
          {row.pastEpisodes.map((e) => (
            <tr
              key={e.startedAt.toISOString()}
              className="border-t border-slate-100 align-top"
              data-testid="past-episode"
            >
              <td className="px-2 py-1 font-medium whitespace-nowrap">
                {e.thresholdReached ? "Alert" : "Failing"}: {e.failures} failure{e.failures === 1 ? "" : "s"}
              </td>
              <td className="px-2 py-1">
                <AbsoluteTime date={e.startedAt} />
              </td>
              <td className="px-2 py-1">
                <AbsoluteTime date={e.lastFailureAt} />
              </td>
              <td className="px-2 py-1">{e.resetAt ? <AbsoluteTime date={e.resetAt} /> : "—"}</td>
              <td className="px-2 py-1 font-mono break-words text-slate-600">{e.lastError}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </details>
  );
}

export function HealthTimeline({ hours }: { hours: number }) {
  const trpc = useTRPC();
  const timeline = useQuery({ ...trpc.health.timeline.queryOptions({ hours }), refetchInterval: 30_000 });
  if (timeline.isPending) {
    return (
      <div className="space-y-3" role="status" aria-label="Loading the health timeline">
        {Array.from({ length: 3 }, (_, i) => (
          <Skeleton key={i} className="h-24" />
        ))}
      </div>
    );
  }
  if (!timeline.data)
    return <ErrorState title="Could not load ingest health" message={timeline.error?.message ?? "No data"} />;
  const { rows } = timeline.data;
  if (rows.length === 0)
    return (
      <EmptyState title="No collector has reported yet.">
        Health appears after a collector&apos;s first push or failure report.
      </EmptyState>
    );
  return (
    <div className="space-y-3">
      <p className="flex flex-wrap items-center gap-3 text-xs text-slate-600">
        <span>
          <span aria-hidden="true" className="mr-1 inline-block size-2.5 rounded-sm bg-emerald-500" />
          ingested
        </span>
        <span>
          <span aria-hidden="true" className="mr-1 inline-block size-2.5 rounded-sm bg-amber-400" />
          partial or a failed run
        </span>
        <span>
          <span aria-hidden="true" className="mr-1 inline-block size-2.5 rounded-sm bg-red-300" />
          only failed runs
        </span>
        <span>
          <span aria-hidden="true" className="mr-1 inline-block size-2.5 rounded-sm bg-red-500" />
          ingest failure reported
        </span>
        <span>
          <span aria-hidden="true" className="mr-1 inline-block size-2.5 rounded-sm bg-slate-200" />
          nothing
        </span>
        <span>
          One cell per hour (UTC); hover a cell for its figures (screen readers read each hour). Refreshes every 30 s.
        </span>
      </p>
      {timeline.error ? <ErrorState title="Last refresh failed" message={timeline.error.message} /> : null}
      <ul className="space-y-3">
        {rows.map((row) => (
          <li
            key={`${row.collector}/${row.mode}`}
            className="rounded-md border border-slate-200 bg-white p-3"
            data-testid={`timeline-${row.collector}-${row.mode}`}
          >
            <div className="mb-2 flex flex-wrap items-center gap-x-4 gap-y-1">
              <span className="font-mono text-sm font-medium">{row.collector}</span>
              <span className="text-sm text-slate-600">{row.mode}</span>
              <StatusBadge
                status={row.state}
                label={
                  row.state === "healthy"
                    ? "Healthy"
                    : row.state === "alert"
                      ? `ALERT ${row.consecutiveFailures}/${row.threshold}`
                      : `Failing ${row.consecutiveFailures}/${row.threshold}`
                }
              />
              <span className="text-xs text-slate-500">
                {row.totals.batches} batches, {row.totals.failedRuns} failed runs, {row.totals.failures} ingest failures
                reported in {timeline.data.hours} h
              </span>
              <span className="ml-auto text-xs text-slate-500">
                last success {row.lastSuccessAt ? <AbsoluteTime date={row.lastSuccessAt} /> : "never"}
              </span>
            </div>
            <div className="grid grid-cols-1 gap-3 lg:grid-cols-[1fr_18rem]">
              <Strip row={row} />
              <Episode row={row} />
            </div>
            <PastEpisodes row={row} />
          </li>
        ))}
      </ul>
    </div>
  );
}
