import type { Metadata } from "next";
import { collectorModes } from "~/shared/schemas/primitives";
import { runListSchema, runStatusSchema } from "~/shared/schemas/queries";
import { Field, FilterForm, inputClass, Select } from "../../_components/filter-form";
import { Pager, toSearchParams } from "../../_components/pager";
import { RunsTable } from "../../_components/runs-table";
import { RelativeTime } from "../../_components/relative-time";
import { DataTable, EmptyState, ErrorState, PageHeader, Section, TableHead, td, tr } from "../../_components/states";
import { load, loadParsed, param, utcInputToIso } from "../../_lib/load";

export const metadata: Metadata = { title: "Runs" };
export const dynamic = "force-dynamic";

const PAGE_SIZE = 25;
/** Catch-up and cutover only carry rows: no run of theirs to filter by. */
const RUN_MODES = collectorModes.filter((m) => m !== "catch-up" && m !== "cutover");

export default async function RunsPage({
  searchParams,
}: {
  searchParams: Promise<Record<string, string | string[] | undefined>>;
}) {
  const params = await searchParams;
  const filters = {
    mode: param(params, "mode"),
    status: param(params, "status"),
    collector: param(params, "collector"),
    from: param(params, "from"),
    to: param(params, "to"),
  };
  const parsed = runListSchema.safeParse({
    mode: filters.mode,
    status: filters.status,
    collector: filters.collector,
    from: utcInputToIso(filters.from),
    to: utcInputToIso(filters.to),
    cursor: param(params, "cursor"),
    limit: PAGE_SIZE,
  });
  const [runs, health, removals] = await Promise.all([
    loadParsed(parsed, (c, input) => c.runs.list(input)),
    load((c) => c.health.byCollector()),
    load((c) => c.runs.removals({ limit: 10 })),
  ]);
  const removed = param(params, "removed");
  const collectors = health.ok ? [...new Set(health.data.map((h) => h.collector))] : [];
  // Every mode a run can have (refresh-24h and manual included), then any other a collector reported.
  const modes = [...new Set([...RUN_MODES, ...(health.ok ? health.data.map((h) => h.mode) : [])])];
  const filtered = Object.values(filters).some(Boolean);

  return (
    <div className="space-y-4">
      <PageHeader title="Runs">Times are UTC; durations from start to finish.</PageHeader>
      {removed ? (
        <p
          role="status"
          data-testid="removed-notice"
          className="rounded border border-emerald-200 bg-emerald-50 px-3 py-2 text-sm text-emerald-900"
        >
          Run <span className="font-mono">{removed}</span> was removed; the removal is recorded below.
        </p>
      ) : null}
      <FilterForm action="/runs" label="Filter runs" resetHref="/runs">
        <Field label="Mode" htmlFor="f-mode" className="w-36">
          <Select id="f-mode" name="mode" value={filters.mode} options={modes} anyLabel="Any mode" />
        </Field>
        <Field label="Status" htmlFor="f-status" className="w-32">
          <Select
            id="f-status"
            name="status"
            value={filters.status}
            options={runStatusSchema.options}
            anyLabel="Any status"
          />
        </Field>
        <Field label="Collector" htmlFor="f-collector" className="w-40">
          <Select
            id="f-collector"
            name="collector"
            value={filters.collector}
            options={collectors}
            anyLabel="Any collector"
          />
        </Field>
        <Field label="From (UTC)" htmlFor="f-from" className="w-52">
          <input id="f-from" name="from" type="datetime-local" defaultValue={filters.from} className={inputClass} />
        </Field>
        <Field label="To (UTC)" htmlFor="f-to" className="w-52">
          <input id="f-to" name="to" type="datetime-local" defaultValue={filters.to} className={inputClass} />
        </Field>
      </FilterForm>
      {!runs.ok ? (
        <ErrorState title="Could not load runs" message={runs.message} />
      ) : runs.data.items.length === 0 ? (
        <EmptyState title={filtered ? "No run matches these filters." : "No runs yet."}>
          {filtered
            ? "Widen the date range or clear a filter (Reset)."
            : "Runs appear here once a collector pushes its first run."}
        </EmptyState>
      ) : (
        <>
          <RunsTable runs={runs.data.items} caption="Runs, newest first" detailed />
          <Pager basePath="/runs" params={toSearchParams(params)} nextCursor={runs.data.nextCursor} label="Runs" />
        </>
      )}
      {removals.ok && removals.data.length > 0 ? (
        <Section title="Removed by hand" id="removals-heading">
          <DataTable caption="Runs removed by an admin, newest first">
            <TableHead columns={["Run", "Collector", "Removed", "By", "Why"]} />
            <tbody>
              {removals.data.map((r) => (
                <tr key={r.id} className={tr} data-testid="removal-row">
                  <td className={`${td} font-mono text-xs`}>{r.key}</td>
                  <td className={`${td} font-mono text-xs`}>{r.collector ?? "—"}</td>
                  <td className={td}>
                    <RelativeTime date={r.removedAt} />
                  </td>
                  <td className={td}>{r.removedBy}</td>
                  <td className={td}>{r.reason}</td>
                </tr>
              ))}
            </tbody>
          </DataTable>
        </Section>
      ) : null}
    </div>
  );
}
