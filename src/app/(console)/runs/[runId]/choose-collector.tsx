// A run id several collectors used: the page cannot pick one, so it lists
// each collector's run of that id with a link that names the collector.
import { RunsTable } from "../../_components/runs-table";
import { ErrorState, PageHeader } from "../../_components/states";
import { load } from "../../_lib/load";
import { Breadcrumb } from "../../_components/breadcrumb";

export async function ChooseCollector({ runId, message }: { runId: string; message: string }) {
  const runs = await load((c) => c.runs.list({ runId, limit: 20 }));
  return (
    <div className="space-y-4">
      <Breadcrumb list="Runs" href="/runs" item={runId.slice(0, 8)} mono />
      <PageHeader title={`Run ${runId.slice(0, 8)}`} />
      <p className="text-sm text-slate-700" data-testid="choose-collector">
        {message} Pick the collector&apos;s run below.
      </p>
      {runs.ok ? (
        <RunsTable runs={runs.data.items} caption={`Runs with the id ${runId}, one per collector`} />
      ) : (
        <ErrorState title="Could not list the runs" message={runs.message} />
      )}
    </div>
  );
}
