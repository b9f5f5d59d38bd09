// The effective window of an ingest, in the one wording the collector logs
// (`ingest: mode=… since=… lookback=900s attempts≤4`) and the run page shows.
export type IngestWindow = {
  mode: string;
  /** ISO time, or null: everything. */
  since: string | null;
  /** Null where the batch did not say (collectors from before it was sent, cutover imports). */
  lookbackSeconds: number | null;
  maxAttempts: number | null;
};

export function describeIngestWindow(w: IngestWindow): string {
  const lookback = w.lookbackSeconds === null ? "unknown" : `${w.lookbackSeconds}s`;
  const attempts = w.maxAttempts === null ? "=unknown" : `≤${w.maxAttempts}`;
  return `mode=${w.mode} since=${w.since ?? "the beginning"} lookback=${lookback} attempts${attempts}`;
}
