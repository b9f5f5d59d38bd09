"use client";
// Removing a run by hand, for admins: the confirmation names what goes and
// what stays, and asks why; the server records both (runs.remove).
import { useMutation, useQuery } from "@tanstack/react-query";
import { useRouter } from "next/navigation";
import { useState, type FormEvent } from "react";
import { useTRPC } from "~/trpc/react";
import { inputClass } from "../../_components/filter-form";
import { ErrorState } from "../../_components/states";

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? "" : "s"}`;

export function RemoveRun({ runId, collector }: { runId: string; collector: string }) {
  const trpc = useTRPC();
  const router = useRouter();
  const [open, setOpen] = useState(false);
  const [reason, setReason] = useState("");
  const preview = useQuery({ ...trpc.runs.removalPreview.queryOptions({ runId, collector }), enabled: open });
  const remove = useMutation(
    trpc.runs.remove.mutationOptions({
      onSuccess: (result) => router.push(`/runs?removed=${encodeURIComponent(result.runId)}`),
    }),
  );

  if (!open) {
    return (
      <button
        type="button"
        onClick={() => setOpen(true)}
        className="rounded border border-red-300 px-3 py-1.5 text-sm text-red-800 hover:bg-red-50"
      >
        Remove run…
      </button>
    );
  }

  const submit = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    remove.mutate({ runId, collector, reason: reason.trim() });
  };
  const p = preview.data;
  return (
    <section
      aria-labelledby="remove-heading"
      className="space-y-3 rounded-md border border-red-200 bg-red-50/40 p-4"
      data-testid="remove-run"
    >
      <h2 id="remove-heading" className="text-sm font-semibold text-red-900">
        Remove this run from the server
      </h2>
      {preview.error ? <ErrorState title="Cannot remove this run" message={preview.error.message} /> : null}
      {p ? (
        <p className="text-sm text-slate-800" data-testid="remove-summary">
          Goes: run <span className="font-mono">{p.runId}</span> ({p.mode}, collector {p.collector ?? "none"}, started{" "}
          {p.runAt.toISOString().slice(0, 19).replace("T", " ")} UTC) and {plural(p.reports, "report")}. Stays:{" "}
          {p.batches} ingest batch{p.batches === 1 ? "" : "es"} and {plural(p.posts, "post")}. The removal is recorded
          with your key, the time and the reason, with a copy of the removed rows. A run the collector still has locally
          comes back with its next catch-up: remove only rows created by hand on the server.
        </p>
      ) : preview.isPending ? (
        <p className="text-sm text-slate-500">Checking what the removal would take…</p>
      ) : null}
      <form onSubmit={submit} className="flex flex-wrap items-end gap-3">
        <div className="w-96">
          <label htmlFor="remove-reason" className="block text-xs font-medium text-slate-600">
            Why (kept in the audit record)
          </label>
          <input
            id="remove-reason"
            required
            minLength={3}
            maxLength={500}
            value={reason}
            onChange={(e) => setReason(e.target.value)}
            placeholder="synthetic row left by the ingest auth smoke test"
            className={inputClass}
          />
        </div>
        <button
          type="submit"
          disabled={!p || remove.isPending}
          className="rounded bg-red-700 px-3 py-1.5 text-sm font-medium text-white hover:bg-red-800 disabled:opacity-50"
        >
          {remove.isPending ? "Removing…" : "Remove run"}
        </button>
        <button type="button" onClick={() => setOpen(false)} className="px-2 py-1.5 text-sm text-slate-600">
          Cancel
        </button>
      </form>
      {remove.error ? <ErrorState title="The run was not removed" message={remove.error.message} /> : null}
    </section>
  );
}
