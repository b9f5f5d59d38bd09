import type { Metadata } from "next";
import Link from "next/link";
import { redirect } from "next/navigation";
import { postListSchema } from "~/shared/schemas/queries";
import { CopyId } from "../../_components/copy-id";
import { Field, FilterForm, inputClass, Select } from "../../_components/filter-form";
import { Pager, toSearchParams } from "../../_components/pager";
import { RelativeTime } from "../../_components/relative-time";
import { DataTable, EmptyState, ErrorState, PageHeader, td, tdNum, TableHead, num, tr } from "../../_components/states";
import { formatCount } from "../../_lib/format";
import { loadParsed, param, utcInputToIso } from "../../_lib/load";

export const metadata: Metadata = { title: "Posts" };
export const dynamic = "force-dynamic";

const PAGE_SIZE = 25;

export default async function PostsPage({
  searchParams,
}: {
  searchParams: Promise<Record<string, string | string[] | undefined>>;
}) {
  const params = await searchParams;
  // "Open by id" submits here; go straight to the spot check.
  const open = param(params, "open");
  if (open) redirect(`/posts/${encodeURIComponent(open)}`);

  const filters = {
    text: param(params, "text"),
    author: param(params, "author"),
    mode: param(params, "mode"),
    since: param(params, "since"),
    until: param(params, "until"),
    minScore: param(params, "minScore"),
  };
  const minScore = filters.minScore !== undefined ? Number(filters.minScore) : undefined;
  const parsed = postListSchema.safeParse({
    text: filters.text,
    author: filters.author,
    mode: filters.mode,
    since: utcInputToIso(filters.since),
    until: utcInputToIso(filters.until),
    minScore: minScore !== undefined && Number.isFinite(minScore) ? minScore : filters.minScore,
    cursor: param(params, "cursor"),
    limit: PAGE_SIZE,
  });
  const posts = await loadParsed(parsed, (c, input) => c.posts.list(input));
  const filtered = Object.values(filters).some(Boolean);

  return (
    <div className="space-y-4">
      <PageHeader title="Posts" />
      <form
        action="/posts"
        method="get"
        role="search"
        aria-label="Open a post by status id"
        className="flex flex-wrap items-end gap-2 rounded-md border border-slate-200 bg-white p-3"
      >
        <Field label="Spot check a status id" htmlFor="open-id" className="w-72">
          <input
            id="open-id"
            name="open"
            inputMode="numeric"
            pattern="[0-9]{1,20}"
            title="An X status id: 1 to 20 digits"
            placeholder="1860000000000000000"
            required
            className={`${inputClass} font-mono`}
          />
        </Field>
        <button
          type="submit"
          className="rounded-md bg-slate-900 px-3 py-1.5 text-sm font-medium text-white hover:bg-slate-700 focus:outline-none focus-visible:ring-2 focus-visible:ring-sky-600 focus-visible:ring-offset-2"
        >
          Open
        </button>
      </form>
      <FilterForm action="/posts" label="Search posts" resetHref="/posts">
        <Field label="Text contains" htmlFor="f-text" className="w-56">
          <input id="f-text" name="text" type="search" defaultValue={filters.text} className={inputClass} />
        </Field>
        <Field label="Author handle" htmlFor="f-author" className="w-40">
          <input
            id="f-author"
            name="author"
            defaultValue={filters.author}
            placeholder="@handle"
            className={inputClass}
          />
        </Field>
        <Field label="Mode" htmlFor="f-mode" className="w-36">
          <Select
            id="f-mode"
            name="mode"
            value={filters.mode}
            options={["priority", "discovery"]}
            anyLabel="Any mode"
          />
        </Field>
        <Field label="Created from (UTC)" htmlFor="f-since" className="w-52">
          <input id="f-since" name="since" type="datetime-local" defaultValue={filters.since} className={inputClass} />
        </Field>
        <Field label="Created before (UTC)" htmlFor="f-until" className="w-52">
          <input id="f-until" name="until" type="datetime-local" defaultValue={filters.until} className={inputClass} />
        </Field>
        <Field label="Min score" htmlFor="f-score" className="w-24">
          <input
            id="f-score"
            name="minScore"
            type="number"
            min="0"
            max="1"
            step="0.01"
            defaultValue={filters.minScore}
            className={inputClass}
          />
        </Field>
      </FilterForm>
      {!posts.ok ? (
        <ErrorState title="Could not search posts" message={posts.message} />
      ) : posts.data.items.length === 0 ? (
        <EmptyState title={filtered ? "No post matches this search." : "No posts on the server yet."}>
          {filtered
            ? "Loosen the search: fewer words, no minimum score, or a wider date range."
            : "Posts arrive with each collector run."}
        </EmptyState>
      ) : (
        <>
          <DataTable caption="Posts, newest first">
            <TableHead columns={["Status id", "Author", "Post", "Mode", "Created", num("Likes"), num("Score")]} />
            <tbody>
              {posts.data.items.map((post) => (
                <tr key={post.status_id} className={tr} data-testid="post-row">
                  <td className={td}>
                    <CopyId value={post.status_id} href={`/posts/${post.status_id}`} />
                  </td>
                  <td className={`${td} whitespace-nowrap`}>@{post.author.handle}</td>
                  <td className={`${td} max-w-md`}>
                    <Link href={`/posts/${post.status_id}`} className="line-clamp-2 hover:underline">
                      {post.body}
                    </Link>
                  </td>
                  <td className={td}>{post.mode}</td>
                  <td className={td}>
                    <RelativeTime date={new Date(post.created_at)} />
                  </td>
                  <td className={tdNum}>{formatCount(post.metrics.like_count)}</td>
                  <td className={tdNum}>{post.score === null ? "—" : post.score.toFixed(3)}</td>
                </tr>
              ))}
            </tbody>
          </DataTable>
          <Pager basePath="/posts" params={toSearchParams(params)} nextCursor={posts.data.nextCursor} label="Posts" />
        </>
      )}
    </div>
  );
}
