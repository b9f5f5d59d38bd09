import type { Metadata } from "next";
import { notFound } from "next/navigation";
import { CopyId } from "../../_components/copy-id";
import { DetailList } from "../../_components/detail-list";
import { PreformattedText } from "../../_components/preformatted-text";
import { AbsoluteTime } from "../../_components/relative-time";
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
} from "../../_components/states";
import { StatusBadge } from "../../_components/status-badge";
import { formatCount, formatDuration, runDuration, tableLabel } from "../../_lib/format";
import { describeIngestWindow } from "~/shared/ingest-window";
import { getRequestPrincipal } from "~/trpc/server";
import { load } from "../../_lib/load";
import { ChooseCollector } from "./choose-collector";
import { RemoveRun } from "./remove-run";
import { Breadcrumb } from "../../_components/breadcrumb";

export const metadata: Metadata = { title: "Run" };
export const dynamic = "force-dynamic";

type TableCounts = Record<string, { inserted: number; updated: number; unchanged: number; rejected: number }>;

/** The batch's window in the collector's own wording (its `ingest:` log line). */
function windowOf(batch: {
  mode: string;
  since: Date | null;
  lookbackSeconds: number | null;
  maxAttempts: number | null;
}) {
  return describeIngestWindow({
    mode: batch.mode,
    since: batch.since?.toISOString() ?? null,
    lookbackSeconds: batch.lookbackSeconds,
    maxAttempts: batch.maxAttempts,
  });
}

export default async function RunPage({
  params,
  searchParams,
}: {
  params: Promise<{ runId: string }>;
  searchParams: Promise<{ collector?: string | string[] }>;
}) {
  const { runId } = await params;
  const asked = (await searchParams).collector;
  const collector = typeof asked === "string" && asked !== "" ? asked : undefined;
  const [result, principal] = await Promise.all([
    load((c) => c.runs.byId({ runId, ...(collector ? { collector } : {}) })),
    getRequestPrincipal(),
  ]);
  if (!result.ok && result.code === "NOT_FOUND") notFound();
  if (!result.ok && result.code === "CONFLICT") return <ChooseCollector runId={runId} message={result.message} />;
  if (!result.ok) return <ErrorState title="Could not load the run" message={result.message} />;
  const { run, batches, reports } = result.data;
  return (
    <div className="space-y-6">
      <Breadcrumb list="Runs" href="/runs" item={run.runId.slice(0, 8)} mono />
      <PageHeader title={`Run ${run.runId.slice(0, 8)}`}>
        <StatusBadge status={run.status} />
      </PageHeader>
      <DetailList
        items={[
          ["Run id", <CopyId key="id" value={run.runId} />],
          [
            "Collector",
            <span key="c" className="font-mono">
              {run.collector}
            </span>,
          ],
          ["Mode", run.mode],
          ["Started", <AbsoluteTime key="s" date={run.runAt} />],
          ["Finished", run.finishedAt ? <AbsoluteTime key="f" date={run.finishedAt} /> : "still running"],
          ["Duration", formatDuration(runDuration(run))],
          ["Fetched", formatCount(run.fetchedCount)],
          ["New posts", formatCount(run.newCount)],
          ["First seen by the server", <AbsoluteTime key="i" date={run.ingestedAt} />],
          [
            "Ingest",
            batches[0] ? (
              <span key="w" className="font-mono text-xs" data-testid="run-ingest-window">
                {windowOf(batches[0])}
              </span>
            ) : (
              "no ingest batch"
            ),
          ],
        ]}
      />
      {run.error ? <ErrorState title="The run failed" message={run.error} /> : null}
      {principal?.role === "admin" ? <RemoveRun runId={run.runId} collector={run.collector} /> : null}

      <Section title={`Ingest batches (${batches.length})`} id="batches-heading">
        {batches.length === 0 ? (
          <EmptyState title="No ingest batch names this run.">
            It was imported by a cutover, or its collector has not pushed it yet.
          </EmptyState>
        ) : (
          batches.map((batch) => {
            const tables = Object.entries(batch.tableCounts as TableCounts).filter(
              ([, t]) => t.inserted + t.updated + t.unchanged + t.rejected > 0,
            );
            return (
              <div
                key={batch.id}
                className="space-y-2 rounded-md border border-slate-200 bg-white p-3"
                data-testid="batch"
              >
                <div className="flex flex-wrap items-center gap-x-4 gap-y-1 text-sm">
                  <StatusBadge status={batch.status} />
                  <span className="text-xs text-slate-500">batch</span> <CopyId value={batch.id} short={8} />
                  <span className="text-xs text-slate-500">key</span> <CopyId value={batch.idempotencyKey} short={24} />
                  <span className="text-xs text-slate-500">received</span> <AbsoluteTime date={batch.receivedAt} />
                  <span className="font-mono text-xs" data-testid="batch-ingest-window">
                    {windowOf(batch)}
                  </span>
                  <span className="text-xs text-slate-500">
                    {formatCount(batch.insertedCount)} inserted · {formatCount(batch.updatedCount)} updated ·{" "}
                    {formatCount(batch.unchangedCount)} unchanged · {formatCount(batch.rejectedCount)} rejected
                  </span>
                </div>
                {tables.length > 0 ? (
                  <DataTable caption="Per-table results of this batch">
                    <TableHead
                      columns={["Table", num("Inserted"), num("Updated"), num("Unchanged"), num("Rejected")]}
                    />
                    <tbody>
                      {tables.map(([table, t]) => (
                        <tr key={table} className="border-t border-slate-100">
                          <th scope="row" className={`${td} font-normal`}>
                            {tableLabel(table)}
                          </th>
                          <td className={tdNum}>{formatCount(t.inserted)}</td>
                          <td className={tdNum}>{formatCount(t.updated)}</td>
                          <td className={tdNum}>{formatCount(t.unchanged)}</td>
                          <td className={`${tdNum} ${t.rejected > 0 ? "font-semibold text-red-800" : ""}`}>
                            {formatCount(t.rejected)}
                          </td>
                        </tr>
                      ))}
                    </tbody>
                  </DataTable>
                ) : null}
                {batch.rejects.length > 0 ? (
                  <DataTable caption="Rejected items">
                    <TableHead className="bg-red-50" columns={["Table", "Key", "Reason"]} />
                    <tbody>
                      {batch.rejects.map((r) => (
                        <tr key={r.id} className="border-t border-slate-100">
                          <td className={td}>{r.tableName}</td>
                          <td className={td}>{r.naturalKey ? <CopyId value={r.naturalKey} /> : "—"}</td>
                          <td className={`${td} text-red-900`}>{r.reason}</td>
                        </tr>
                      ))}
                    </tbody>
                  </DataTable>
                ) : null}
              </div>
            );
          })
        )}
      </Section>

      <Section title={`Reports (${reports.length})`} id="reports-heading">
        {reports.length === 0 ? (
          <EmptyState title="This run produced no report." />
        ) : (
          reports.map((report) => (
            <article
              key={report.reportId}
              className="space-y-2 rounded-md border border-slate-200 bg-white p-3"
              data-testid="report"
            >
              <header className="flex flex-wrap items-center gap-x-3 gap-y-1">
                <h3 className="font-medium">{report.title}</h3>
                <span className="rounded bg-slate-100 px-1.5 py-0.5 text-xs">{report.kind}</span>
                <CopyId value={report.reportId} short={8} />
                <AbsoluteTime date={report.createdAt} />
              </header>
              <PreformattedText text={report.bodyMd} />
              {report.statusIds.length > 0 ? (
                <p className="flex flex-wrap items-center gap-2 text-xs text-slate-600">
                  Cites:
                  {report.statusIds.map((id) => (
                    <CopyId key={id} value={id} href={`/posts/${id}`} />
                  ))}
                </p>
              ) : null}
            </article>
          ))
        )}
      </Section>
    </div>
  );
}
