import type { Db } from "../db";

export type PingResult = { ok: true; database: "up"; latencyMs: number; serverTime: Date };

/** Round-trips to PostgreSQL now; throws (mapped to 503) when it cannot. */
export async function pingDatabase(db: Db): Promise<PingResult> {
  const started = performance.now();
  const rows = await db.$queryRaw<{ now: Date }[]>`select now() as now`;
  return {
    ok: true,
    database: "up",
    latencyMs: Math.round((performance.now() - started) * 10) / 10,
    serverTime: rows[0]!.now,
  };
}
