import type { Metadata } from "next";
import Link from "next/link";
import { RelativeTime } from "../../_components/relative-time";
import { DataTable, EmptyState, ErrorState, PageHeader, td, tdNum, TableHead, num, tr } from "../../_components/states";
import { StatusBadge } from "../../_components/status-badge";
import { formatDuration } from "../../_lib/format";
import { load } from "../../_lib/load";
import { parseSteps } from "../steps";

export const metadata: Metadata = { title: "Cutovers" };
export const dynamic = "force-dynamic";

export default async function CutoversPage() {
  const cutovers = await load((c) => c.cutover.list({ limit: 100 }));
  return (
    <div className="space-y-4">
      <PageHeader title="Cutovers">
        Each move of a collector&apos;s SQLite file into the server, step by step.
      </PageHeader>
      {!cutovers.ok ? (
        <ErrorState title="Could not load cutovers" message={cutovers.message} />
      ) : cutovers.data.length === 0 ? (
        <EmptyState title="No cutover recorded yet.">
          The cutover tool records one here as it runs (freeze, snapshot, export, import passes, validate, restore).
        </EmptyState>
      ) : (
        <DataTable caption="Cutovers, newest first">
          <TableHead columns={["Cutover", "Collector", "Operator", "Status", "Steps", "Started", num("Duration")]} />
          <tbody>
            {cutovers.data.map((c) => {
              const steps = parseSteps(c.steps);
              return (
                <tr key={c.id} className={tr} data-testid="cutover-row">
                  <td className={td}>
                    <Link href={`/cutovers/${c.id}`} className="font-medium text-sky-800 hover:underline">
                      {c.label}
                    </Link>
                  </td>
                  <td className={`${td} font-mono text-xs`}>{c.collector}</td>
                  <td className={td}>{c.operator}</td>
                  <td className={td}>
                    <StatusBadge status={c.status} />
                  </td>
                  <td className={td}>
                    <span className="flex flex-wrap gap-1">
                      {steps.map((s) => (
                        <StatusBadge
                          key={`${s.step}/${s.pass ?? ""}`}
                          status={s.status}
                          label={`${s.step}${s.pass ? ` ${s.pass}` : ""}`}
                        />
                      ))}
                    </span>
                  </td>
                  <td className={td}>
                    <RelativeTime date={c.startedAt} />
                  </td>
                  <td className={tdNum}>
                    {formatDuration(c.finishedAt ? c.finishedAt.getTime() - c.startedAt.getTime() : null)}
                  </td>
                </tr>
              );
            })}
          </tbody>
        </DataTable>
      )}
    </div>
  );
}
