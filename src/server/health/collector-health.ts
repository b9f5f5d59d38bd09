import type { Db } from "../db";

export type HealthState = "healthy" | "degraded" | "alert";

/** healthy: 0 failures; degraded: failing but under the threshold; alert: at or over it. */
export function healthState(consecutiveFailures: number, threshold: number): HealthState {
  if (consecutiveFailures <= 0) return "healthy";
  return consecutiveFailures >= threshold ? "alert" : "degraded";
}

export async function listCollectorHealth(db: Db, options: { alertThreshold: number }) {
  const rows = await db.collectorHealth.findMany({ orderBy: [{ collector: "asc" }, { mode: "asc" }] });
  return rows.map((row) => ({
    ...row,
    threshold: options.alertThreshold,
    state: healthState(row.consecutiveFailures, options.alertThreshold),
  }));
}
