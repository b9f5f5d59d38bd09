// Request limits the server enforces and its clients must respect.

/** Calls per batched tRPC request; the console's batch link sends at most this many. */
export const MAX_BATCH_SIZE = 20;

/** Segment bounds per reconcile.segments / reconcile.rowHashes call (so at most this + 1 segments). */
export const DEEP_MAX_BOUNDS = 1024;

/** Row hashes per reconcile.rowHashes call (the same cap as rows by keys). */
export const DEEP_MAX_KEYS_PER_CALL = 1000;

/** Keys of each kind (missing, extra, different, newer on server) a deep result names per table; totals are exact. */
export const DEEP_NAMED_KEYS = 20;
