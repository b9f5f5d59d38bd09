// One Prisma client per process (and per database URL, for tests and
// scripts). Services receive a client as an argument; only entry points
// (route handlers, CLIs) call getDb().
import { PrismaPg } from "@prisma/adapter-pg";
import { PrismaClient } from "../generated/prisma/client";
import { env } from "../env";
import { pgConnectionFields } from "./db/connection";

export type Db = PrismaClient;

export function createDb(url: string, options: { max?: number } = {}): Db {
  const adapter = new PrismaPg({ ...pgConnectionFields(url), max: options.max ?? 10 });
  return new PrismaClient({ adapter });
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
      throw new Error("DATABASE_URL is not set: start the app with `npm start`, which provides it, or set it to your PostgreSQL URL.");
    }
    globalForDb.xmonitorDb = createDb(url);
  }
  return globalForDb.xmonitorDb;
}
