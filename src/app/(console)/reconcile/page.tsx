import type { Metadata } from "next";
import Link from "next/link";
import { syncTableNames } from "~/shared/schemas/tables";
import { DeltaChart } from "../_components/charts";
import { AbsoluteTime, RelativeTime } from "../_components/relative-time";
import {
  DataTable,
  EmptyState,
  ErrorState,
  PageHeader,
  Section,
  td,
  tdNum,
  TableHead,
  num,
} from "../_components/states";
import { StatusBadge } from "../_components/status-badge";
import { formatCount, inTableOrder, signed, tableLabel } from "../_lib/format";
import { load, param } from "../_lib/load";
import { CountNow } from "./count-now";
import { DeepResultPanel, deepSummary, parseDeep } from "./deep-result";

export const metadata: Metadata = { title: "Reconcile" };
export const dynamic = "force-dynamic";

type Tables = Record<string, { local: number; server: number; delta: number }>;

export default async function ReconcilePage({
  searchParams,
}: {
  searchParams: Promise<Record<string, string | string[] | undefined>>;
}) {
  const params = await searchParams;
  const [collectors, newest] = await Promise.all([
    load((c) => c.reconcile.collectors()),
    load((c) => c.reconcile.history({ limit: 1 })),
  ]);
  // One collector at a time: deltas of different collectors do not add up.
  const collector = param(params, "collector") ?? (newest.ok ? newest.data[0]?.collector : undefined);
  const history = collector ? await load((c) => c.reconcile.history({ collector, limit: 90 })) : null;

  return (
    <div className="space-y-6">
      <PageHeader title="Reconcile">
        Local (collector SQLite) minus server counts, per table; 0 everywhere is a PASS. With{" "}
        <code className="font-mono">reconcile --deep</code> (daily), the content check beside them: the exact keys
        missing on the server, extra there or different.
      </PageHeader>
      {!collectors.ok ? <ErrorState title="Could not load reconcile results" message={collectors.message} /> : null}
      {collectors.ok && collectors.data.length > 0 ? (
        <nav aria-label="Collectors" className="flex flex-wrap gap-2 text-sm">
          {collectors.data.map((c) => (
            <Link
              key={c}
              href={`/reconcile?collector=${encodeURIComponent(c)}`}
              aria-current={c === collector ? "page" : undefined}
              className="rounded border border-slate-300 bg-white px-2 py-1 font-mono text-xs hover:bg-slate-100 aria-[current=page]:border-slate-900 aria-[current=page]:bg-slate-900 aria-[current=page]:text-white"
            >
              {c}
            </Link>
          ))}
        </nav>
      ) : null}

      {history === null ? (
        <EmptyState title="No reconcile result yet.">
          Run <code className="font-mono">npm run collector -- reconcile</code> on a collector (it runs daily at 05:10
          New York): its result lands here. You can count the server side now below.
        </EmptyState>
      ) : !history.ok ? (
        <ErrorState title="Could not load the history" message={history.message} />
      ) : history.data.length === 0 ? (
        <EmptyState title={`No reconcile result from ${collector}.`}>Pick another collector above.</EmptyState>
      ) : (
        <>
          <LatestResult result={history.data[0]!} />
          {history.data.length > 1 ? (
            <Section title="Deltas over time" id="chart-heading">
              <DeltaChart
                tables={syncTableNames}
                points={[...history.data].reverse().map((r) => ({
                  at: r.checkedAt,
                  passed: r.passed,
                  deltas: Object.fromEntries(Object.entries(r.tables as Tables).map(([t, v]) => [t, v.delta])),
                }))}
              />
            </Section>
          ) : null}
          <Section title={`History (${history.data.length})`} id="history-heading">
            <DataTable caption={`Reconcile history of ${collector}`}>
              <TableHead columns={["Checked", "Result", "Since", "Tables off", "Content"]} />
              <tbody>
                {history.data.map((r) => {
                  const off = inTableOrder(r.tables as Tables).filter(([, t]) => t.delta !== 0);
                  return (
                    <tr key={r.id} className="border-t border-slate-100" data-testid="reconcile-row">
                      <td className={td}>
                        <span className="font-mono text-xs">
                          {r.checkedAt.toISOString().slice(0, 16).replace("T", " ")}
                        </span>{" "}
                        <span className="text-xs text-slate-500">
                          <RelativeTime date={r.checkedAt} />
                        </span>
                      </td>
                      <td className={td}>
                        <StatusBadge status={r.passed ? "pass" : "fail"} label={r.passed ? "PASS" : "FAIL"} />
                      </td>
                      <td className={`${td} font-mono text-xs`}>
                        {r.since ? r.since.toISOString().slice(0, 16).replace("T", " ") : "all time"}
                      </td>
                      <td className={td}>
                        {off.length === 0 ? (
                          <span className="text-slate-500">none</span>
                        ) : (
                          off.map(([t, v]) => `${tableLabel(t)} ${signed(v.delta)}`).join(", ")
                        )}
                      </td>
                      <td className={td}>{deepSummary(parseDeep(r.deep))}</td>
                    </tr>
                  );
                })}
              </tbody>
            </DataTable>
          </Section>
        </>
      )}

      <Section title="Server-side count now" id="count-heading">
        <CountNow />
      </Section>
    </div>
  );
}

function LatestResult({
  result,
}: {
  result: { collector: string; checkedAt: Date; since: Date | null; passed: boolean; tables: unknown; deep: unknown };
}) {
  const tables = result.tables as Tables;
  const deep = parseDeep(result.deep);
  return (
    <Section title="Latest result" id="latest-heading">
      <div
        className={`rounded-md border-2 bg-white p-4 ${result.passed ? "border-emerald-300" : "border-red-300"}`}
        data-testid="latest-reconcile"
      >
        <div className="flex flex-wrap items-center gap-x-6 gap-y-2">
          <span
            className={`text-2xl font-bold ${result.passed ? "text-emerald-700" : "text-red-700"}`}
            data-testid="latest-verdict"
          >
            {result.passed ? "PASS" : "FAIL"}
          </span>
          <span className="font-mono text-sm">{result.collector}</span>
          <span className="text-sm">
            <span className="text-xs text-slate-500">checked </span>
            <AbsoluteTime date={result.checkedAt} />
          </span>
          <span className="text-sm">
            <span className="text-xs text-slate-500">since </span>
            {result.since ? <AbsoluteTime date={result.since} relative={false} /> : "all time"}
          </span>
        </div>
        <div className="mt-3">
          <DataTable caption="Per-table counts of the latest reconcile">
            <TableHead columns={["Table", num("Local"), num("Server"), num("Delta"), "Verdict"]} />
            <tbody>
              {inTableOrder(tables).map(([table, t]) => (
                <tr key={table} className={`border-t border-slate-100 ${t.delta !== 0 ? "bg-red-50" : ""}`}>
                  <th scope="row" className={`${td} font-normal`}>
                    {tableLabel(table)}
                  </th>
                  <td className={tdNum}>{formatCount(t.local)}</td>
                  <td className={tdNum}>{formatCount(t.server)}</td>
                  <td className={`${tdNum} ${t.delta !== 0 ? "font-semibold text-red-800" : ""}`}>{signed(t.delta)}</td>
                  <td className={td}>
                    {t.delta === 0 ? (
                      <StatusBadge status="pass" label="equal" />
                    ) : (
                      <StatusBadge status="fail" label={t.delta > 0 ? "missing on server" : "extra on server"} />
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </DataTable>
        </div>
        {deep ? <DeepResultPanel deep={deep} /> : null}
      </div>
    </Section>
  );
}
