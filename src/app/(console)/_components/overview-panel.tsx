"use client";
import Link from "next/link";
import { useQuery } from "@tanstack/react-query";
import type { inferRouterOutputs } from "@trpc/server";
import type { AppRouter } from "~/server/api/root";
import { useTRPC } from "~/trpc/react";
import { formatCount, inTableOrder, signed, tableLabel, tableLabels } from "../_lib/format";
import { VolumeChart } from "./charts";
import { RelativeTime } from "./relative-time";
import { EmptyState, ErrorState, Section, Skeleton } from "./states";
import { RunsTable } from "./runs-table";
import { StatusBadge } from "./status-badge";

type Summary = inferRouterOutputs<AppRouter>["overview"]["summary"];

const stateLabel = { healthy: "Healthy", degraded: "Failing", alert: "ALERT" } as const;
const cardRing = { healthy: "border-emerald-200", degraded: "border-amber-300", alert: "border-red-300" } as const;

function HealthCards({ health }: { health: Summary["health"] }) {
  if (health.length === 0) {
    return (
      <EmptyState title="No collector has reported yet.">
        Give a collector an ingest key and run it; each collector and mode gets a card here after its first push.
      </EmptyState>
    );
  }
  return (
    <ul className="grid grid-cols-1 gap-3 sm:grid-cols-2 lg:grid-cols-3 xl:grid-cols-4">
      {health.map((card) => (
        <li
          key={`${card.collector}/${card.mode}`}
          data-testid={`health-card-${card.collector}-${card.mode}`}
          aria-label={`${card.collector} ${card.mode}: ${stateLabel[card.state]}`}
          className={`rounded-md border-2 bg-white p-3 ${cardRing[card.state]}`}
        >
          <div className="flex items-start justify-between gap-2">
            <div>
              <p className="font-mono text-sm font-medium">{card.collector}</p>
              <p className="text-xs text-slate-500">{card.mode}</p>
            </div>
            <StatusBadge
              status={card.state}
              label={
                card.state === "healthy"
                  ? "Healthy"
                  : `${stateLabel[card.state]} ${card.consecutiveFailures}/${card.threshold}`
              }
            />
          </div>
          <dl className="mt-2 grid grid-cols-[auto_1fr] gap-x-3 gap-y-0.5 text-xs">
            <dt className="text-slate-500">Last success</dt>
            <dd>{card.lastSuccessAt ? <RelativeTime date={card.lastSuccessAt} /> : "never"}</dd>
            <dt className="text-slate-500">Last failure</dt>
            <dd>{card.lastFailureAt ? <RelativeTime date={card.lastFailureAt} /> : "none"}</dd>
          </dl>
          {card.lastError && card.state !== "healthy" ? (
            <p
              className="mt-2 line-clamp-2 rounded bg-red-50 px-2 py-1 font-mono text-xs text-red-900"
              title={card.lastError}
            >
              {card.lastError}
            </p>
          ) : null}
        </li>
      ))}
    </ul>
  );
}

function ReconcileCards({ results }: { results: Summary["reconcile"] }) {
  if (results.length === 0) {
    return (
      <EmptyState title="No reconcile result yet.">
        Collectors report one after `npm run collector -- reconcile` (scheduled daily at 05:10 New York).
      </EmptyState>
    );
  }
  return (
    <div className="grid grid-cols-1 gap-3 lg:grid-cols-2">
      {results.map((r) => (
        <div
          key={r.id}
          className="rounded-md border border-slate-200 bg-white p-3"
          data-testid={`reconcile-${r.collector}`}
        >
          <div className="flex items-center justify-between gap-2">
            <p className="font-mono text-sm font-medium">{r.collector}</p>
            <span className="flex items-center gap-2 text-xs text-slate-500">
              <RelativeTime date={r.checkedAt} />
              <StatusBadge status={r.passed ? "pass" : "fail"} label={r.passed ? "PASS" : "FAIL"} />
            </span>
          </div>
          <table className="mt-2 w-full text-xs">
            <caption className="sr-only">Per-table counts of the last reconcile of {r.collector}</caption>
            <thead className="text-slate-500">
              <tr>
                <th scope="col" className="py-0.5 text-left font-medium">
                  Table
                </th>
                <th scope="col" className="py-0.5 text-right font-medium">
                  Local
                </th>
                <th scope="col" className="py-0.5 text-right font-medium">
                  Server
                </th>
                <th scope="col" className="py-0.5 text-right font-medium">
                  Delta
                </th>
              </tr>
            </thead>
            <tbody>
              {inTableOrder(r.tables).map(([table, t]) => (
                <tr key={table} className={t.delta !== 0 ? "bg-red-50 font-medium text-red-900" : ""}>
                  <th scope="row" className="py-0.5 text-left font-normal">
                    {tableLabel(table)}
                  </th>
                  <td className="py-0.5 text-right tabular-nums">{formatCount(t.local)}</td>
                  <td className="py-0.5 text-right tabular-nums">{formatCount(t.server)}</td>
                  <td className="py-0.5 text-right tabular-nums">{signed(t.delta)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      ))}
    </div>
  );
}

const alertKind = {
  "ingest-failures": "Ingest failing",
  "reconcile-failed": "Reconcile FAIL",
  stale: "Stale",
} as const;

function Alerts({ alerts }: { alerts: Summary["alerts"] }) {
  if (alerts.length === 0) {
    return (
      <p
        className="rounded-md border border-emerald-200 bg-emerald-50 px-3 py-2 text-sm text-emerald-900"
        data-testid="no-alerts"
      >
        No active alerts.
      </p>
    );
  }
  return (
    <ul className="space-y-1.5" data-testid="alerts">
      {alerts.map((a) => (
        <li
          key={`${a.kind}/${a.collector}/${a.mode ?? ""}`}
          className="flex flex-wrap items-center gap-2 rounded-md border border-red-200 bg-red-50 px-3 py-2 text-sm text-red-950"
        >
          <StatusBadge status={a.kind === "stale" ? "degraded" : "alert"} label={alertKind[a.kind]} />
          <span className="font-mono text-xs">
            {a.collector}
            {a.mode ? ` · ${a.mode}` : ""}
          </span>
          <span className="order-last w-full min-w-0 break-words sm:order-none sm:w-auto sm:flex-1">{a.message}</span>
          {a.since ? (
            <span className="ml-auto text-xs text-red-800">
              <RelativeTime date={a.since} />
            </span>
          ) : null}
        </li>
      ))}
    </ul>
  );
}

function RecentRuns({ runs }: { runs: Summary["recentRuns"] }) {
  if (runs.length === 0) {
    return (
      <EmptyState title="No runs yet.">
        Point a collector at this server (`npm run collector -- run --mode priority`) to see them here.
      </EmptyState>
    );
  }
  return <RunsTable runs={runs} caption="Latest runs" />;
}

export function OverviewSkeleton() {
  return (
    <div className="space-y-6" role="status" aria-label="Loading the overview">
      <div className="grid grid-cols-1 gap-3 sm:grid-cols-2 lg:grid-cols-4">
        {Array.from({ length: 4 }, (_, i) => (
          <Skeleton key={i} className="h-28" />
        ))}
      </div>
      <Skeleton className="h-48" />
      <Skeleton className="h-64" />
    </div>
  );
}

export function OverviewPanel() {
  const trpc = useTRPC();
  const summary = useQuery({ ...trpc.overview.summary.queryOptions(), refetchInterval: 15_000 });
  if (summary.isPending) return <OverviewSkeleton />;
  if (!summary.data)
    return <ErrorState title="Could not load the overview" message={summary.error?.message ?? "No data"} />;
  const { counts, approximateCounts, recentRuns, health, reconcile, volume, alerts, generatedAt } = summary.data;
  return (
    <div className="space-y-6">
      <p className="text-xs text-slate-500" aria-live="polite">
        Data as of <RelativeTime date={generatedAt} />; refreshes every 15 s{summary.isFetching ? " (refreshing…)" : ""}
        .
        {summary.error ? (
          <span className="ml-2 text-red-700" role="alert">
            Last refresh failed: {summary.error.message}
          </span>
        ) : null}
      </p>
      <Section title="Active alerts" id="alerts-heading">
        <Alerts alerts={alerts} />
      </Section>
      <Section
        title="Ingest health by collector and mode"
        id="health-heading"
        actions={
          <Link href="/health" className="text-xs text-sky-800 hover:underline">
            Timeline →
          </Link>
        }
      >
        <HealthCards health={health} />
      </Section>
      <div className="grid grid-cols-1 gap-6 xl:grid-cols-2">
        <Section title="Ingest volume, last 24 hours (UTC)" id="volume-heading">
          <VolumeChart points={volume} title="Rows per hour" />
        </Section>
        <Section
          title="Last reconcile"
          id="reconcile-heading"
          actions={
            <Link href="/reconcile" className="text-xs text-sky-800 hover:underline">
              History →
            </Link>
          }
        >
          <ReconcileCards results={reconcile} />
        </Section>
      </div>
      <Section
        title="Latest runs"
        id="runs-heading"
        actions={
          <Link href="/runs" className="text-xs text-sky-800 hover:underline">
            All runs →
          </Link>
        }
      >
        <RecentRuns runs={recentRuns} />
      </Section>
      <Section title="Rows on the server" id="counts-heading">
        <dl className="grid grid-cols-2 gap-3 sm:grid-cols-4 lg:grid-cols-7">
          {Object.entries(tableLabels).map(([key, label]) => (
            <div key={key} className="rounded-md border border-slate-200 bg-white p-3">
              <dt className="text-xs text-slate-500">{label}</dt>
              <dd className="text-lg font-semibold tabular-nums" data-testid={`count-${key}`}>
                {approximateCounts.includes(key as keyof typeof counts) ? (
                  <abbr
                    title="Estimate from PostgreSQL's table statistics: exact counting of large tables on every refresh would be slow"
                    className="no-underline"
                  >
                    ≈{formatCount(counts[key as keyof typeof counts])}
                  </abbr>
                ) : (
                  formatCount(counts[key as keyof typeof counts])
                )}
              </dd>
            </div>
          ))}
        </dl>
      </Section>
    </div>
  );
}
