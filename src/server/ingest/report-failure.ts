import type { ReportFailureInput } from "~/shared/schemas/ingest";
import { assertMayActFor } from "../auth/collector-binding";
import type { Principal } from "../auth/principal";
import type { Db } from "../db";

/**
 * A collector tells the server about an ingest cycle that failed (live, or
 * once it can reach us again), so the server's health view shows outages
 * too: the present streak in collector_health, and every failure in
 * ingest_failures so past alert episodes stay visible after they reset.
 * One report is one failed cycle (docs/decisions/012): its place in the
 * streak is the collector's count when it sends one (else one more than the
 * server's), and a cycle reported twice is recorded once. Times are the
 * collector's clock, so they are not compared with the server's success
 * times: the collector sends its failures before the push that succeeds.
 */
export async function reportIngestFailure(db: Db, options: { input: ReportFailureInput; principal: Principal }) {
  const { input } = options;
  // A failure report resets nothing, but it raises another collector's alert: only its own key may send it.
  assertMayActFor(options.principal, input.collector);
  const at = input.occurredAt ? new Date(input.occurredAt) : new Date();
  const error = `${input.error} (after ${input.attempts} attempt${input.attempts === 1 ? "" : "s"})`;
  const where = { collector_mode: { collector: input.collector, mode: input.mode } };
  return db.$transaction(async (tx) => {
    // Created first so the row is locked for the rest of the transaction (concurrent reports serialise here).
    await tx.collectorHealth.upsert({
      where,
      create: { collector: input.collector, mode: input.mode, consecutiveFailures: 0 },
      update: {},
    });
    await tx.$queryRaw`select 1 from collector_health where collector = ${input.collector} and mode = ${input.mode} for update`;
    const health = await tx.collectorHealth.findUniqueOrThrow({ where });
    const consecutive = input.consecutive ?? health.consecutiveFailures + 1;
    const { count } = await tx.ingestFailure.createMany({
      data: [
        {
          collector: input.collector,
          mode: input.mode,
          occurredAt: at,
          error,
          attempts: input.attempts,
          consecutive,
          cycleId: input.cycleId ?? null,
        },
      ],
      skipDuplicates: true,
    });
    const answer = (streak: number) => ({ collector: input.collector, mode: input.mode, consecutiveFailures: streak });
    // Already recorded (the same cycle sent again): the streak stays.
    if (count === 0) return answer(health.consecutiveFailures);
    const newest = !health.lastFailureAt || at >= health.lastFailureAt;
    const row = await tx.collectorHealth.update({
      where,
      data: {
        // Reports of one outage may arrive out of order: the streak never shrinks on a failure.
        consecutiveFailures: Math.max(consecutive, health.consecutiveFailures),
        ...(newest ? { lastFailureAt: at, lastError: error } : {}),
        updatedAt: new Date(),
      },
    });
    return answer(row.consecutiveFailures);
  });
}
