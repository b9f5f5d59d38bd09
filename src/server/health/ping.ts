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

// Anonymous callers share one ping per second per process: however many ask,
// they cost the database at most one statement a second. Kept on globalThis
// because Next may load this module more than once per process.
const CACHE = Symbol.for("xmonitor.sharedPing");
type Cached = { at: number; result: Promise<PingResult> };
const holder = globalThis as unknown as { [CACHE]?: WeakMap<Db, Cached> };

export function sharedPing(db: Db, options: { maxAgeMs?: number; now?: number } = {}): Promise<PingResult> {
  const now = options.now ?? Date.now();
  const byDb = (holder[CACHE] ??= new WeakMap());
  const cached = byDb.get(db);
  if (cached && now - cached.at < (options.maxAgeMs ?? 1000)) return cached.result;
  const result = pingDatabase(db);
  byDb.set(db, { at: now, result });
  // A failed ping is not kept: the next caller asks the database again.
  result.catch(() => {
    if (byDb.get(db)?.result === result) byDb.delete(db);
  });
  return result;
}
