"use client";
import Link from "next/link";
import { useParams } from "next/navigation";

export default function PostNotFound() {
  const params = useParams<{ statusId: string }>();
  return (
    <div className="space-y-3 rounded-md border border-amber-300 bg-white p-6" data-testid="post-not-found">
      <h1 className="text-xl font-semibold">Post not found</h1>
      <p className="text-sm text-slate-700">
        The server has no post with status id <span className="font-mono font-medium">{params.statusId}</span>. It has
        not been ingested: check the collector&apos;s last runs, or run{" "}
        <code className="font-mono">npm run collector -- catch-up --since &lt;time&gt;</code>. An id is 1 to 20 digits.
      </p>
      <Link href="/posts" className="text-sm text-sky-800 hover:underline">
        ← Search posts
      </Link>
    </div>
  );
}
