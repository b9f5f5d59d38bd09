const styles: Record<string, string> = {
  success: "bg-emerald-50 text-emerald-800 ring-emerald-600/20",
  failed: "bg-red-50 text-red-800 ring-red-600/20",
  running: "bg-sky-50 text-sky-800 ring-sky-600/20",
};

/** Status as text and colour, never colour alone. */
export function StatusBadge({ status }: { status: string }) {
  return (
    <span className={`inline-flex items-center rounded px-1.5 py-0.5 text-xs font-medium ring-1 ring-inset ${styles[status] ?? "bg-slate-50 text-slate-700 ring-slate-500/20"}`}>
      {status}
    </span>
  );
}
