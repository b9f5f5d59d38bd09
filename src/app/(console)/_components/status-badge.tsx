type Tone = "ok" | "warn" | "bad" | "info" | "neutral";

const tones: Record<Tone, string> = {
  ok: "bg-emerald-50 text-emerald-800 ring-emerald-600/25",
  warn: "bg-amber-50 text-amber-900 ring-amber-600/30",
  bad: "bg-red-50 text-red-800 ring-red-600/25",
  info: "bg-sky-50 text-sky-800 ring-sky-600/25",
  neutral: "bg-slate-50 text-slate-700 ring-slate-500/20",
};

const dots: Record<Tone, string> = {
  ok: "bg-emerald-500",
  warn: "bg-amber-500",
  bad: "bg-red-500",
  info: "bg-sky-500",
  neutral: "bg-slate-400",
};

/** One colour per meaning across the console: every status word maps to a tone. */
const statusTone: Record<string, Tone> = {
  success: "ok",
  succeeded: "ok",
  healthy: "ok",
  pass: "ok",
  active: "ok",
  partial: "warn",
  degraded: "warn",
  skipped: "neutral",
  running: "info",
  processing: "info",
  failed: "bad",
  alert: "bad",
  fail: "bad",
  revoked: "neutral",
};

export function toneOf(status: string): Tone {
  return statusTone[status.toLowerCase()] ?? "neutral";
}

/** Status as text and colour, never colour alone. */
export function StatusBadge({ status, label }: { status: string; label?: string }) {
  const tone = toneOf(status);
  return (
    <span
      className={`inline-flex items-center gap-1 rounded px-1.5 py-0.5 text-xs font-medium whitespace-nowrap ring-1 ring-inset ${tones[tone]}`}
    >
      <span aria-hidden="true" className={`size-1.5 rounded-full ${dots[tone]}`} />
      {label ?? status}
    </span>
  );
}
