import Link from "next/link";

export default function RunNotFound() {
  return (
    <div className="space-y-3 rounded-md border border-slate-200 bg-white p-6">
      <h1 className="text-xl font-semibold">Run not found</h1>
      <p className="text-sm text-slate-600">
        The server has no run with this id: it may not have been ingested yet. Check the collector&apos;s last push, or
        search the run list.
      </p>
      <Link href="/runs" className="text-sm text-sky-800 hover:underline">
        ← All runs
      </Link>
    </div>
  );
}
