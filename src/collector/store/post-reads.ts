// What a run reads back of stored posts: those published in a window (for
// summaries and shift detection), their vectors, and the newest status id
// (X's since_id).
import { decodeVector } from "../embedding";
import { rowToItem } from "./items";
import type { StoredTweet } from "./run-writes";
import type { StoreContext } from "./sqlite-store";
import { normaliseHandle } from "./watch-accounts";
import { toIsoMs } from "../util/time";

/** Posts published in [from, to), for window summaries; optionally only those a mode found. */
export function listTweetsPublishedBetween(
  store: StoreContext,
  options: { from: string; to: string; mode?: string },
): StoredTweet[] {
  const rows = store.db
    .prepare(
      `SELECT * FROM tweets WHERE julianday(created_at) >= julianday(@from) AND julianday(created_at) < julianday(@to)
       AND (@mode IS NULL OR mode = @mode) ORDER BY julianday(created_at), status_id`,
    )
    .all({ from: toIsoMs(options.from), to: toIsoMs(options.to), mode: options.mode ?? null }) as Record<
    string,
    unknown
  >[];
  return rows.map((row) => rowToItem("posts", row) as StoredTweet);
}

/** Stored vectors by status id, only those of `model` (vectors of different models do not compare). */
export function getEmbeddings(
  store: StoreContext,
  options: { statusIds: readonly string[]; model: string },
): Map<string, number[]> {
  const out = new Map<string, number[]>();
  const stmt = store.db.prepare("SELECT * FROM tweet_embeddings WHERE status_id = ? AND model = ?");
  for (const id of options.statusIds) {
    const row = stmt.get(id, options.model) as Record<string, unknown> | undefined;
    if (row) out.set(id, decodeVector(row.vector as Uint8Array));
  }
  return out;
}

/** The numerically largest stored status id (X's since_id), by author and/or mode. */
export function newestStatusId(
  store: StoreContext,
  options: { authorHandle?: string; mode?: string } = {},
): string | undefined {
  return store.db
    .prepare(
      // Ids are decimal text of varying length: longer is larger.
      `SELECT status_id FROM tweets WHERE (@author IS NULL OR author_handle = @author) AND (@mode IS NULL OR mode = @mode)
       ORDER BY length(status_id) DESC, status_id DESC LIMIT 1`,
    )
    .pluck()
    .get({
      author: options.authorHandle === undefined ? null : normaliseHandle(options.authorHandle),
      mode: options.mode ?? null,
    }) as string | undefined;
}
