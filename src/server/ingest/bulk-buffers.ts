import { BufferPool } from "~/shared/buffer-pool";

/** The bulk path's pool: room for the chunks a few collectors keep in flight at once. */
export const bulkBuffers = new BufferPool({ maxFreeBytes: 64 * 1024 * 1024, idleMs: 30_000 });
