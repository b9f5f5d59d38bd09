import type { Metadata } from "next";
import { notFound } from "next/navigation";
import { CopyId } from "../../_components/copy-id";
import { DetailList } from "../../_components/detail-list";
import { JsonView } from "../../_components/json-view";
import { AbsoluteTime, RelativeTime } from "../../_components/relative-time";
import { DataTable, EmptyState, ErrorState, PageHeader, Section, td, TableHead } from "../../_components/states";
import { StatusBadge } from "../../_components/status-badge";
import { formatCount } from "../../_lib/format";
import { load } from "../../_lib/load";
import { xPostHref } from "../../_lib/external-link";
import { runHref } from "../../_lib/links";
import { Breadcrumb } from "../../_components/breadcrumb";

export const dynamic = "force-dynamic";

export async function generateMetadata({ params }: { params: Promise<{ statusId: string }> }): Promise<Metadata> {
  return { title: `Post ${(await params).statusId}` };
}

export default async function PostPage({ params }: { params: Promise<{ statusId: string }> }) {
  const { statusId } = await params;
  const result = await load((c) => c.posts.spotCheck({ statusId }));
  // A malformed id cannot exist either: same page as an unknown one.
  if (!result.ok && (result.code === "NOT_FOUND" || result.code === "BAD_REQUEST")) notFound();
  if (!result.ok) return <ErrorState title="Could not load the post" message={result.message} />;
  const { post, run, reports, windows, shifts, embedding, rejects } = result.data;
  const created = new Date(post.created_at);
  const collected = new Date(post.collected_at);
  const ingested = new Date(post.ingested_at);
  const updated = new Date(post.updated_at);
  return (
    <div className="space-y-6">
      <Breadcrumb list="Posts" href="/posts" item={post.status_id} mono />
      <PageHeader title={`Post ${post.status_id}`}>
        <span className="inline-flex items-center gap-2">
          <StatusBadge status="success" label="On the server" />
          {post.anomalies.length > 0 ? (
            <StatusBadge
              status="partial"
              label={`${post.anomalies.length} ${post.anomalies.length === 1 ? "anomaly" : "anomalies"}`}
            />
          ) : null}
          {xPostHref(post.url) ? (
            <a
              href={xPostHref(post.url)!}
              rel="noreferrer noopener"
              target="_blank"
              className="text-sky-800 hover:underline"
            >
              Open on X ↗
            </a>
          ) : post.url ? (
            <span
              className="font-mono text-xs text-slate-500"
              title="Not a link: only https://x.com and twitter.com are"
            >
              {post.url}
            </span>
          ) : null}
        </span>
      </PageHeader>

      <article className="rounded-md border border-slate-200 bg-white p-4" aria-label="Post">
        <p className="text-sm">
          <span className="font-semibold" data-testid="post-author">
            @{post.author.handle}
          </span>
          {post.author.id ? (
            <span className="ml-2 text-xs text-slate-500">
              user id <CopyId value={post.author.id} />
            </span>
          ) : null}
        </p>
        <p className="mt-2 text-base leading-relaxed whitespace-pre-wrap" data-testid="post-body">
          {post.body}
        </p>
        <dl className="mt-3 flex flex-wrap gap-x-6 gap-y-1 text-sm">
          {(
            [
              ["Likes", post.metrics.like_count],
              ["Reposts", post.metrics.repost_count],
              ["Replies", post.metrics.reply_count],
              ["Quotes", post.metrics.quote_count],
              ["Views", post.metrics.view_count],
            ] as const
          ).map(([label, value]) => (
            <div key={label}>
              <dt className="inline text-slate-500">{label} </dt>
              <dd className="inline font-medium tabular-nums">{formatCount(value)}</dd>
            </div>
          ))}
          <div>
            <dt className="inline text-slate-500">Score </dt>
            <dd className="inline font-medium tabular-nums" data-testid="post-score">
              {post.score === null ? "—" : post.score.toFixed(3)}
            </dd>
          </div>
        </dl>
      </article>

      <DetailList
        items={[
          ["Status id", <CopyId key="id" value={post.status_id} />],
          ["Mode", post.mode],
          ["Language", post.lang ?? "—"],
          ["Reply / repost", `${post.is_reply ? "reply" : "not a reply"} · ${post.is_repost ? "repost" : "original"}`],
          ["Conversation", post.conversation_id ? <CopyId key="conv" value={post.conversation_id} /> : "—"],
          [
            "Collected by run",
            post.run_id ? (
              <CopyId
                key="run"
                value={post.run_id}
                href={runHref({ runId: post.run_id, collector: run?.runId === post.run_id ? run.collector : null })}
              />
            ) : (
              "— (no run recorded)"
            ),
          ],
          ["Created on X", <AbsoluteTime key="c" date={created} />],
          ["Collected", <AbsoluteTime key="col" date={collected} />],
          ["Source last updated", <AbsoluteTime key="su" date={new Date(post.source_updated_at)} />],
        ]}
      />

      <Section title="Ingest history" id="ingest-heading">
        <ol className="space-y-2 rounded-md border border-slate-200 bg-white p-4 text-sm" data-testid="ingest-history">
          <li className="flex flex-wrap items-baseline gap-3">
            <span className="w-40 text-slate-500">First seen by the server</span>
            <AbsoluteTime date={ingested} />
          </li>
          <li className="flex flex-wrap items-baseline gap-3">
            <span className="w-40 text-slate-500">Last changed on the server</span>
            <AbsoluteTime date={updated} />
            {updated.getTime() === ingested.getTime() ? (
              <span className="text-xs text-slate-500">(never updated since)</span>
            ) : null}
          </li>
          <li className="flex flex-wrap items-baseline gap-3">
            <span className="w-40 text-slate-500">Embedding</span>
            {embedding ? (
              <span>
                <span className="font-mono text-xs">{embedding.model}</span> · {embedding.dims} dims · stored{" "}
                <RelativeTime date={embedding.ingestedAt} />
              </span>
            ) : (
              <span className="text-slate-500">none stored</span>
            )}
          </li>
          <li className="flex flex-wrap items-baseline gap-3">
            <span className="w-40 text-slate-500">Anomalies</span>
            {post.anomalies.length === 0 ? (
              <span className="text-slate-500" data-testid="post-anomalies">
                none
              </span>
            ) : (
              <div data-testid="post-anomalies">
                <p className="text-slate-600">Stored as received; values X would not issue:</p>
                <ul className="list-disc space-y-1 pl-5">
                  {post.anomalies.map((a) => (
                    <li key={a} className="text-amber-900">
                      {a}
                    </li>
                  ))}
                </ul>
              </div>
            )}
          </li>
          <li className="flex flex-wrap items-baseline gap-3">
            <span className="w-40 text-slate-500">Rejected versions</span>
            {rejects.length === 0 ? (
              <span className="text-slate-500">none</span>
            ) : (
              <ul className="space-y-1">
                {rejects.map((r) => (
                  <li key={r.id} className="text-red-900">
                    <RelativeTime date={r.createdAt} />: {r.reason}
                  </li>
                ))}
              </ul>
            )}
          </li>
        </ol>
      </Section>

      <Section title="Cited by" id="cited-heading">
        {!run && reports.length === 0 && windows.length === 0 && shifts.length === 0 ? (
          <EmptyState title="Nothing cites this post yet.">
            Reports, window summaries and narrative shifts that list it will appear here.
          </EmptyState>
        ) : (
          <DataTable caption="Runs, reports, windows and shifts that cite this post">
            <TableHead columns={["Kind", "Id", "What", "When"]} />
            <tbody>
              {run ? (
                <tr className="border-t border-slate-100" data-testid="cited-run">
                  <td className={td}>Run</td>
                  <td className={td}>
                    <CopyId value={run.runId} short={8} href={runHref(run)} />
                  </td>
                  <td className={td}>
                    {run.mode} run on {run.collector ?? "—"} <StatusBadge status={run.status} />
                  </td>
                  <td className={td}>
                    <RelativeTime date={run.runAt} />
                  </td>
                </tr>
              ) : null}
              {reports.map((r) => (
                <tr
                  key={`${r.collector}/${r.reportId}`}
                  className="border-t border-slate-100"
                  data-testid="cited-report"
                >
                  <td className={td}>Report</td>
                  <td className={td}>
                    <CopyId
                      value={r.reportId}
                      short={8}
                      href={r.runId ? runHref({ runId: r.runId, collector: r.collector }) : undefined}
                    />
                  </td>
                  <td className={td}>{r.title}</td>
                  <td className={td}>
                    <RelativeTime date={r.createdAt} />
                  </td>
                </tr>
              ))}
              {windows.map((w) => (
                <tr key={w.windowId} className="border-t border-slate-100">
                  <td className={td}>Window summary</td>
                  <td className={td}>
                    <CopyId value={w.windowId} />
                  </td>
                  <td className={td}>{w.mode} top posts</td>
                  <td className={td}>
                    <RelativeTime date={w.windowEnd} />
                  </td>
                </tr>
              ))}
              {shifts.map((s) => (
                <tr key={s.shiftId} className="border-t border-slate-100">
                  <td className={td}>Narrative shift</td>
                  <td className={td}>
                    <CopyId value={s.shiftId} short={8} />
                  </td>
                  <td className={td}>
                    {s.topic} (magnitude {s.magnitude})
                  </td>
                  <td className={td}>
                    <RelativeTime date={s.detectedAt} />
                  </td>
                </tr>
              ))}
            </tbody>
          </DataTable>
        )}
      </Section>

      <Section title="Raw stored JSON" id="raw-heading">
        <JsonView value={post.raw_json} label="Raw JSON of the post as stored" />
      </Section>
    </div>
  );
}
