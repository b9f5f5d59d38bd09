// One Prisma client per process (and per database URL, for tests and
// scripts). Services receive a client as an argument; only entry points
// (route handlers, CLIs) call getDb().
import { PrismaPg } from "@prisma/adapter-pg";
import pg from "pg";
import { PrismaClient } from "../generated/prisma/client";
import { env } from "../env";
import { pgConnectionFields } from "./db-connection";

export type Db = PrismaClient;

// Prisma and the few hot raw statements share one pg pool, so a process never
// holds more connections than its configured maximum (decisions/006). The
// pool rides on the client under a registry symbol: Next.js may load this
// module more than once in one process (one copy per server bundle), and
// the client itself is shared through globalThis.
const SQL_POOL = Symbol.for("xmonitor.sqlPool");
type DbWithPool = Db & { [SQL_POOL]?: pg.Pool };

export type PoolLimits = {
  max?: number;
  /**
   * Default statement_timeout of every connection: the app's read timeout.
   * The ingest transaction sets its own, longer one. Scripts (seeding, bulk
   * fills) leave it unset.
   */
  statementTimeoutMs?: number;
  /** How long a caller waits for a free connection before it is told the server is busy. */
  connectionWaitMs?: number;
};

export function createDb(url: string, options: PoolLimits = {}): Db {
  const pool = new pg.Pool({
    ...pgConnectionFields(url),
    max: options.max ?? 10,
    ...(options.statementTimeoutMs ? { statement_timeout: options.statementTimeoutMs } : {}),
    ...(options.connectionWaitMs ? { connectionTimeoutMillis: options.connectionWaitMs } : {}),
  });
  // An idle connection the server terminates emits "error" on the pool; unhandled, that would end the process.
  pool.on("error", () => undefined);
  const db = new PrismaClient({ adapter: new PrismaPg(pool, { disposeExternalPool: true }) });
  Object.defineProperty(db, SQL_POOL, { value: pool, enumerable: false });
  return db;
}

/**
 * The pg pool under a client, for the hot paths where Prisma's per-query
 * cost shows (key check, rate limit, post lookup, the ingest upsert).
 */
export function sqlPool(db: Db): pg.Pool {
  const pool = (db as DbWithPool)[SQL_POOL];
  if (!pool)
    throw new Error("This Prisma client was not made by createDb(): it has no pg pool to run raw statements on.");
  return pool;
}

/** Closes the client and its pool, whether or not Prisma ever connected. */
export async function closeDb(db: Db): Promise<void> {
  await db.$disconnect();
  const pool = (db as DbWithPool)[SQL_POOL];
  if (pool && !pool.ended) await pool.end();
}

const globalForDb = globalThis as unknown as { xmonitorDb?: Db };

/** For scripts and tests that bring their own client to the route handlers. */
export function installDb(db: Db): void {
  globalForDb.xmonitorDb = db;
}

export function getDb(): Db {
  if (!globalForDb.xmonitorDb) {
    const url = env().DATABASE_URL;
    if (!url) {
      throw new Error(
        "DATABASE_URL is not set: start the app with `npm start`, which provides it, or set it to your PostgreSQL URL.",
      );
    }
    globalForDb.xmonitorDb = createDb(url, {
      max: env().DATABASE_POOL_SIZE,
      statementTimeoutMs: env().READ_STATEMENT_TIMEOUT_MS,
      connectionWaitMs: env().DATABASE_POOL_WAIT_MS,
    });
  }
  return globalForDb.xmonitorDb;
}
