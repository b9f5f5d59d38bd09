export function formatCount(n: number | bigint | null | undefined): string {
  if (n === null || n === undefined) return "—";
  return n.toLocaleString("en-US");
}

export function formatDuration(ms: number | null | undefined): string {
  if (ms === null || ms === undefined || !Number.isFinite(ms) || ms < 0) return "—";
  if (ms < 1000) return `${Math.round(ms)} ms`;
  const s = ms / 1000;
  if (s < 60) return `${s.toFixed(1)} s`;
  const m = Math.floor(s / 60);
  const rest = Math.round(s % 60);
  if (m < 60) return `${m} min ${String(rest).padStart(2, "0")} s`;
  return `${Math.floor(m / 60)} h ${String(m % 60).padStart(2, "0")} min`;
}

export function runDuration(run: { runAt: Date; finishedAt: Date | null }): number | null {
  return run.finishedAt ? run.finishedAt.getTime() - run.runAt.getTime() : null;
}

export function signed(n: number): string {
  return n > 0 ? `+${n.toLocaleString("en-US")}` : n.toLocaleString("en-US");
}

/** Human labels for the seven mirrored tables. */
export const tableLabels: Record<string, string> = {
  posts: "Posts",
  reports: "Reports",
  pipelineRuns: "Runs",
  watchAccounts: "Watch accounts",
  embeddings: "Embeddings",
  windowSummaries: "Window summaries",
  narrativeShifts: "Narrative shifts",
};

export function tableLabel(table: string): string {
  return tableLabels[table] ?? table;
}

/** Entries of a per-table map in the console's table order (jsonb does not keep key order). */
export function inTableOrder<T>(map: Record<string, T>): [string, T][] {
  const order = Object.keys(tableLabels);
  const rank = (t: string) => (order.includes(t) ? order.indexOf(t) : order.length);
  return Object.entries(map).sort(([a], [b]) => rank(a) - rank(b));
}
