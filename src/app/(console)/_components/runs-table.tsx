// One table of pipeline runs for the overview's "Latest runs" and the /runs
// list: same columns, same links, so a run reads the same everywhere.
import { formatCount, formatDuration, runDuration } from "../_lib/format";
import { runHref } from "../_lib/links";
import { CopyId } from "./copy-id";
import { RelativeTime } from "./relative-time";
import { DataTable, td, tdNum, TableHead, num, tr } from "./states";
import { StatusBadge } from "./status-badge";

export type RunRow = {
  runId: string;
  collector: string | null;
  mode: string;
  status: string;
  runAt: Date;
  finishedAt: Date | null;
  fetchedCount: number;
  newCount: number;
  error?: string | null;
};

export function RunsTable({
  runs,
  caption,
  detailed = false,
}: {
  runs: RunRow[];
  caption: string;
  /** The full list: absolute start times and the error column. */
  detailed?: boolean;
}) {
  return (
    <DataTable caption={caption}>
      <TableHead
        columns={[
          "Run",
          "Collector",
          "Mode",
          "Status",
          "Started",
          num("Duration"),
          num("Fetched"),
          num("New"),
          detailed && "Error",
        ]}
      />
      <tbody>
        {runs.map((run) => (
          <tr key={`${run.collector ?? ""}/${run.runId}`} className={tr} data-testid="run-row">
            <td className={td}>
              <CopyId value={run.runId} short={8} href={runHref(run)} />
            </td>
            <td className={`${td} font-mono text-xs`}>{run.collector ?? "—"}</td>
            <td className={td}>{run.mode}</td>
            <td className={td}>
              <StatusBadge status={run.status} />
            </td>
            <td className={td}>
              {detailed ? (
                <>
                  <span className="font-mono text-xs">{run.runAt.toISOString().slice(0, 19).replace("T", " ")}</span>{" "}
                  <span className="text-xs text-slate-500">
                    <RelativeTime date={run.runAt} />
                  </span>
                </>
              ) : (
                <RelativeTime date={run.runAt} />
              )}
            </td>
            <td className={tdNum}>{formatDuration(runDuration(run))}</td>
            <td className={tdNum}>{formatCount(run.fetchedCount)}</td>
            <td className={tdNum}>{formatCount(run.newCount)}</td>
            {detailed ? (
              <td className={`${td} max-w-xs truncate text-xs text-red-800`} title={run.error ?? undefined}>
                {run.error ?? ""}
              </td>
            ) : null}
          </tr>
        ))}
      </tbody>
    </DataTable>
  );
}
