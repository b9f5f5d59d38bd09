// Request limits the server enforces and its clients must respect.

/** Calls per batched tRPC request; the console's batch link sends at most this many. */
export const MAX_BATCH_SIZE = 20;
