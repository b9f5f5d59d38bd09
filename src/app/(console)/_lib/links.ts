// Links between console pages. A run id is unique per collector only
// (docs/decisions/012), so a link to a run names its collector whenever the
// page knows it; without one the run page must ask which run is meant.

export function runHref(run: { runId: string; collector?: string | null | undefined }): string {
  const path = `/runs/${encodeURIComponent(run.runId)}`;
  return run.collector ? `${path}?collector=${encodeURIComponent(run.collector)}` : path;
}
