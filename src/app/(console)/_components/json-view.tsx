/** Stored JSON, pretty-printed when it parses, shown as it is when it does not. */
export function JsonView({ value, label }: { value: string | null; label: string }) {
  if (value === null) return <p className="text-sm text-slate-500">No raw JSON stored for this row.</p>;
  let shown = value;
  try {
    shown = JSON.stringify(JSON.parse(value), null, 2);
  } catch {
    // Not JSON after all: show the stored text unchanged.
  }
  return (
    <pre
      aria-label={label}
      tabIndex={0}
      className="max-h-96 overflow-auto rounded-md border border-slate-200 bg-slate-950 p-3 font-mono text-xs leading-relaxed text-slate-100 focus:outline-none focus-visible:ring-2 focus-visible:ring-sky-600"
    >
      {shown}
    </pre>
  );
}
