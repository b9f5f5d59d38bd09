import type { Metadata } from "next";
import { notFound } from "next/navigation";
import { CopyId } from "../../_components/copy-id";
import { DetailList } from "../../_components/detail-list";
import { AbsoluteTime } from "../../_components/relative-time";
import { EmptyState, ErrorState, PageHeader, Section } from "../../_components/states";
import { StatusBadge } from "../../_components/status-badge";
import { formatDuration } from "../../_lib/format";
import { load } from "../../_lib/load";
import { parseSteps, StepList } from "../steps";
import { Breadcrumb } from "../../_components/breadcrumb";

export const metadata: Metadata = { title: "Cutover" };
export const dynamic = "force-dynamic";

export default async function CutoverPage({ params }: { params: Promise<{ id: string }> }) {
  const { id } = await params;
  const result = await load((c) => c.cutover.byId({ id }));
  if (!result.ok && (result.code === "NOT_FOUND" || result.code === "BAD_REQUEST")) notFound();
  if (!result.ok) return <ErrorState title="Could not load the cutover" message={result.message} />;
  const cutover = result.data;
  const steps = parseSteps(cutover.steps);
  const artifacts = (
    typeof cutover.artifacts === "object" && cutover.artifacts !== null && !Array.isArray(cutover.artifacts)
      ? cutover.artifacts
      : {}
  ) as Record<string, unknown>;
  return (
    <div className="space-y-6">
      <Breadcrumb list="Cutovers" href="/cutovers" item={cutover.label} />
      <PageHeader title={cutover.label}>
        <StatusBadge status={cutover.status} />
      </PageHeader>
      <DetailList
        items={[
          ["Cutover id", <CopyId key="id" value={cutover.id} />],
          [
            "Collector",
            <span key="c" className="font-mono">
              {cutover.collector}
            </span>,
          ],
          ["Operator", cutover.operator],
          ["Started", <AbsoluteTime key="s" date={cutover.startedAt} />],
          ["Finished", cutover.finishedAt ? <AbsoluteTime key="f" date={cutover.finishedAt} /> : "still running"],
          [
            "Duration",
            formatDuration(cutover.finishedAt ? cutover.finishedAt.getTime() - cutover.startedAt.getTime() : null),
          ],
        ]}
      />
      <Section title={`Steps (${steps.length})`} id="steps-heading">
        {steps.length === 0 ? (
          <EmptyState title="No step recorded yet.">The cutover tool records each step as it finishes.</EmptyState>
        ) : (
          <StepList steps={steps} />
        )}
      </Section>
      <Section title="Artifacts" id="artifacts-heading">
        {Object.keys(artifacts).length === 0 ? (
          <EmptyState title="No artifact recorded." />
        ) : (
          <dl className="space-y-1 rounded-md border border-slate-200 bg-white p-3 text-sm">
            {Object.entries(artifacts).map(([k, v]) => (
              <div key={k} className="flex flex-wrap gap-x-3">
                <dt className="w-32 text-slate-500">{k}</dt>
                <dd className="min-w-0 font-mono text-xs break-all">
                  {Array.isArray(v) ? v.map(String).join(", ") : String(v)}
                </dd>
              </div>
            ))}
          </dl>
        )}
      </Section>
    </div>
  );
}
