"use client";
import { useQuery } from "@tanstack/react-query";
import { useState, type FormEvent } from "react";
import { useTRPC } from "~/trpc/react";
import { inputClass } from "../_components/filter-form";
import { formatUtc } from "../_components/relative-time";
import { ErrorState, Skeleton } from "../_components/states";
import { formatCount, tableLabel } from "../_lib/format";

function defaultSince(): string {
  // Yesterday's 05:10 New York reconcile window, roughly: 24 hours ago, in UTC, to the minute.
  return new Date(Date.now() - 86_400_000).toISOString().slice(0, 16);
}

/** Counts the server's rows now, for a chosen `since`, as the collector's reconcile would. */
export function CountNow() {
  const trpc = useTRPC();
  const [draft, setDraft] = useState(defaultSince);
  const [since, setSince] = useState<string | null>(null);
  const counts = useQuery({
    ...trpc.reconcile.counts.queryOptions({ since: since ?? undefined }),
    enabled: since !== null,
    staleTime: 0,
  });
  const submit = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    setSince(`${draft}:00Z`);
    if (since === `${draft}:00Z`) void counts.refetch();
  };
  return (
    <div className="space-y-3 rounded-md border border-slate-200 bg-white p-3">
      <form onSubmit={submit} className="flex flex-wrap items-end gap-3" aria-label="Count server rows now">
        <div className="w-56">
          <label htmlFor="count-since" className="block text-xs font-medium text-slate-600">
            Since (UTC)
          </label>
          <input
            id="count-since"
            type="datetime-local"
            required
            value={draft}
            onChange={(e) => setDraft(e.target.value)}
            className={inputClass}
          />
        </div>
        <button
          type="submit"
          className="rounded-md bg-slate-900 px-3 py-1.5 text-sm font-medium text-white hover:bg-slate-700 focus:outline-none focus-visible:ring-2 focus-visible:ring-sky-600 focus-visible:ring-offset-2"
        >
          Count server rows now
        </button>
        <p className="text-xs text-slate-500">
          Counts by each table&apos;s creation time, the rule the collector&apos;s reconcile uses.
        </p>
      </form>
      {since === null ? null : counts.isPending ? (
        <Skeleton className="h-40" />
      ) : counts.isError ? (
        <ErrorState title="Count failed" message={counts.error.message} />
      ) : (
        <div data-testid="count-now-result">
          <p className="mb-2 text-xs text-slate-600">
            Taken {formatUtc(new Date(counts.data.takenAt))}, since{" "}
            {counts.data.since ? formatUtc(new Date(counts.data.since)) : "the beginning"}.
          </p>
          <table className="w-full max-w-lg text-sm">
            <caption className="sr-only">Server row counts</caption>
            <thead className="text-xs text-slate-500">
              <tr>
                <th scope="col" className="py-1 text-left font-medium">
                  Table
                </th>
                <th scope="col" className="py-1 text-right font-medium">
                  Since
                </th>
                <th scope="col" className="py-1 text-right font-medium">
                  Total
                </th>
              </tr>
            </thead>
            <tbody>
              {Object.entries(counts.data.tables).map(([table, t]) => (
                <tr key={table} className="border-t border-slate-100">
                  <th scope="row" className="py-1 text-left font-normal">
                    {tableLabel(table)}
                  </th>
                  <td className="py-1 text-right tabular-nums">{formatCount(t.since)}</td>
                  <td className="py-1 text-right tabular-nums">{formatCount(t.total)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </div>
  );
}
