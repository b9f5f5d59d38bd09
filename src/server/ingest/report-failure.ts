import type { ReportFailureInput } from "~/shared/schemas/ingest";
import type { Db } from "../db";

/**
 * A collector tells the server about an ingest cycle that failed (it could
 * not reach us then), so the server's health view shows outages too.
 */
export async function reportIngestFailure(db: Db, input: ReportFailureInput) {
  const at = input.occurredAt ? new Date(input.occurredAt) : new Date();
  const error = `${input.error} (after ${input.attempts} attempt${input.attempts === 1 ? "" : "s"})`;
  const row = await db.collectorHealth.upsert({
    where: { collector_mode: { collector: input.collector, mode: input.mode } },
    create: { collector: input.collector, mode: input.mode, consecutiveFailures: 1, lastFailureAt: at, lastError: error },
    update: { consecutiveFailures: { increment: 1 }, lastFailureAt: at, lastError: error, updatedAt: new Date() },
  });
  return { collector: row.collector, mode: row.mode, consecutiveFailures: row.consecutiveFailures };
}
