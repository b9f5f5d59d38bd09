"use client";
import { ErrorState } from "./_components/states";

export default function ConsoleError({ error, reset }: { error: Error & { digest?: string }; reset: () => void }) {
  return (
    <div className="space-y-3">
      <ErrorState
        title="This page could not be shown"
        message={error.digest ? `${error.message} (reference ${error.digest}: see the server log)` : error.message}
      />
      <button
        type="button"
        onClick={reset}
        className="rounded border border-slate-300 bg-white px-3 py-1.5 text-sm hover:bg-slate-100"
      >
        Try again
      </button>
    </div>
  );
}
