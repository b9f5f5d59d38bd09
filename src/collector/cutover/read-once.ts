import Database from "better-sqlite3";

/**
 * SQLite's page cache for a cutover's read-only connections, in KiB (the
 * cache_size pragma's negative form). Each reads a table once, in order, so a
 * page cached is rarely read again; the driver's default (16 MB per
 * connection) was that much more of the collector's peak memory.
 */
export const READ_ONCE_CACHE_KIB = 2048;

/** A snapshot or copy opened read-only, with the small page cache of a connection that reads it once. */
export function openReadOnce(file: string): Database.Database {
  const db = new Database(file, { readonly: true, fileMustExist: true });
  db.pragma(`cache_size = -${READ_ONCE_CACHE_KIB}`);
  return db;
}
