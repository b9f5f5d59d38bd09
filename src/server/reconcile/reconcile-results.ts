import type { ReconcileRecord } from "~/shared/schemas/ingest";
import { assertMayActFor } from "../auth/collector-binding";
import type { Principal } from "../auth/principal";
import type { Db } from "../db";

/** Stores a collector's reconcile outcome (its local counts vs ours). */
export async function recordReconcileResult(db: Db, options: { input: ReconcileRecord; principal: Principal }) {
  const { input } = options;
  assertMayActFor(options.principal, input.collector);
  return db.reconcileResult.create({
    data: {
      collector: input.collector,
      since: input.since ? new Date(input.since) : null,
      checkedAt: new Date(input.checkedAt),
      passed: input.passed,
      tables: input.tables,
      ...(input.deep ? { deep: input.deep } : {}),
    },
    select: { id: true, passed: true, checkedAt: true },
  });
}

export async function listReconcileResults(db: Db, options: { collector?: string | undefined; limit: number }) {
  return db.reconcileResult.findMany({
    where: options.collector ? { collector: options.collector } : {},
    orderBy: { checkedAt: "desc" },
    take: options.limit,
  });
}

/** Collectors that have reported at least one reconcile, for the console's filter. */
export async function listReconcileCollectors(db: Db): Promise<string[]> {
  const rows = await db.reconcileResult.findMany({
    distinct: ["collector"],
    select: { collector: true },
    orderBy: { collector: "asc" },
  });
  return rows.map((row) => row.collector);
}
