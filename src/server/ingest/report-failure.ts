import type { ReportFailureInput } from "~/shared/schemas/ingest";
import { assertMayActFor } from "../auth/collector-binding";
import type { Principal } from "../auth/principal";
import type { Db } from "../db";

/**
 * A collector tells the server about an ingest cycle that failed (it could
 * not reach us then), so the server's health view shows outages too: the
 * present streak in collector_health, and every failure in ingest_failures
 * so past alert episodes stay visible after they reset.
 */
export async function reportIngestFailure(db: Db, options: { input: ReportFailureInput; principal: Principal }) {
  const { input } = options;
  // A failure report resets nothing, but it raises another collector's alert: only its own key may send it.
  assertMayActFor(options.principal, input.collector);
  const at = input.occurredAt ? new Date(input.occurredAt) : new Date();
  const error = `${input.error} (after ${input.attempts} attempt${input.attempts === 1 ? "" : "s"})`;
  return db.$transaction(async (tx) => {
    const row = await tx.collectorHealth.upsert({
      where: { collector_mode: { collector: input.collector, mode: input.mode } },
      create: {
        collector: input.collector,
        mode: input.mode,
        consecutiveFailures: 1,
        lastFailureAt: at,
        lastError: error,
      },
      update: { consecutiveFailures: { increment: 1 }, lastFailureAt: at, lastError: error, updatedAt: new Date() },
    });
    await tx.ingestFailure.create({
      data: {
        collector: input.collector,
        mode: input.mode,
        occurredAt: at,
        error,
        attempts: input.attempts,
        consecutive: row.consecutiveFailures,
      },
    });
    return { collector: row.collector, mode: row.mode, consecutiveFailures: row.consecutiveFailures };
  });
}
