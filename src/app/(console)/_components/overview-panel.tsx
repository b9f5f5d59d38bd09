"use client";
import { useQuery } from "@tanstack/react-query";
import { useTRPC } from "~/trpc/react";
import { StatusBadge } from "./status-badge";
import { RelativeTime } from "./relative-time";

const tableLabels = {
  posts: "Posts",
  reports: "Reports",
  pipelineRuns: "Runs",
  watchAccounts: "Watch accounts",
  embeddings: "Embeddings",
  windowSummaries: "Window summaries",
  narrativeShifts: "Narrative shifts",
} as const;

export function OverviewPanel() {
  const trpc = useTRPC();
  const summary = useQuery({ ...trpc.overview.summary.queryOptions(), refetchInterval: 15_000 });
  if (summary.isPending) return <p className="text-slate-500">Loading…</p>;
  if (summary.isError) return <p role="alert" className="text-red-700">Could not load the overview: {summary.error.message}</p>;
  const { counts, recentRuns } = summary.data;
  return (
    <div className="space-y-6">
      <section aria-labelledby="counts-heading">
        <h2 id="counts-heading" className="mb-2 text-sm font-medium text-slate-600">Rows on the server</h2>
        <dl className="grid grid-cols-2 gap-3 sm:grid-cols-4 lg:grid-cols-7">
          {Object.entries(tableLabels).map(([key, label]) => (
            <div key={key} className="rounded-md border border-slate-200 bg-white p-3">
              <dt className="text-xs text-slate-500">{label}</dt>
              <dd className="text-lg font-semibold tabular-nums" data-testid={`count-${key}`}>
                {counts[key as keyof typeof counts].toLocaleString("en-US")}
              </dd>
            </div>
          ))}
        </dl>
      </section>
      <section aria-labelledby="runs-heading">
        <h2 id="runs-heading" className="mb-2 text-sm font-medium text-slate-600">Latest runs</h2>
        {recentRuns.length === 0 ? (
          <p className="rounded-md border border-dashed border-slate-300 p-4 text-sm text-slate-600">
            No runs yet. Point a collector at this server (`npm run collector -- run --mode priority`) to see them here.
          </p>
        ) : (
          <div className="overflow-x-auto rounded-md border border-slate-200 bg-white">
            <table className="w-full text-left text-sm">
              <thead className="bg-slate-50 text-xs text-slate-500">
                <tr>
                  <th scope="col" className="px-3 py-2">Run</th>
                  <th scope="col" className="px-3 py-2">Mode</th>
                  <th scope="col" className="px-3 py-2">Status</th>
                  <th scope="col" className="px-3 py-2">Started</th>
                  <th scope="col" className="px-3 py-2 text-right">Fetched</th>
                  <th scope="col" className="px-3 py-2 text-right">New</th>
                </tr>
              </thead>
              <tbody>
                {recentRuns.map((run) => (
                  <tr key={run.runId} className="border-t border-slate-100">
                    <td className="px-3 py-2 font-mono text-xs">{run.runId.slice(0, 8)}</td>
                    <td className="px-3 py-2">{run.mode}</td>
                    <td className="px-3 py-2"><StatusBadge status={run.status} /></td>
                    <td className="px-3 py-2"><RelativeTime date={run.runAt} /></td>
                    <td className="px-3 py-2 text-right tabular-nums">{run.fetchedCount}</td>
                    <td className="px-3 py-2 text-right tabular-nums">{run.newCount}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </section>
    </div>
  );
}
