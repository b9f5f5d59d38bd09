// Per-key request limit over fixed one-minute windows, counted in
// PostgreSQL with one upsert per call so every app instance shares it. Calls
// are weighted by what they cost the database (a search or a count of every
// table uses more than a lookup), and each call of a batch counts, so a
// batch costs the sum of its calls.
import { sqlPool, type Db } from "../db";
import { AppError } from "../errors";

const WINDOW_MS = 60_000;

// Committed without waiting for the WAL flush (synchronous_commit off for this
// statement's transaction only): every request would otherwise wait for an
// fsync while holding the window row's lock, which serialises one key's
// requests behind the disk. A crash can lose the last few counts, which only
// lets a few extra requests through.
const consumeSql = `insert into rate_limit_windows (api_key_id, window_start, count)
  select $1::uuid, $2, $3::int from (select set_config('synchronous_commit', 'off', true)) as async_commit
  on conflict (api_key_id, window_start) do update set count = rate_limit_windows.count + excluded.count
  returning count`;

export async function consumeRateLimit(
  db: Db,
  options: { apiKeyId: string; limitPerMinute: number; cost?: number; now?: number },
): Promise<{ count: number; remaining: number }> {
  const now = options.now ?? Date.now();
  const cost = options.cost ?? 1;
  const windowStart = new Date(now - (now % WINDOW_MS));
  // Runs on every authenticated request: a prepared statement on the pg pool (decisions/006).
  const { rows } = await sqlPool(db).query<{ count: number }>({
    name: "rate_limit_consume",
    text: consumeSql,
    values: [options.apiKeyId, windowStart, cost],
  });
  const count = rows[0]?.count ?? cost;
  if (count > options.limitPerMinute) {
    const retryAfterSeconds = Math.max(1, Math.ceil((windowStart.getTime() + WINDOW_MS - now) / 1000));
    throw new AppError(
      "TOO_MANY_REQUESTS",
      `Rate limit reached: ${options.limitPerMinute} requests per minute for this key (a search or a count weighs more than one). Retry after ${retryAfterSeconds} s, or batch more items per request.`,
      { retryAfterSeconds },
    );
  }
  // Old windows are useless; trim them now and then rather than on every call.
  if (count === cost && Math.random() < 0.05) {
    await db.$executeRaw`delete from rate_limit_windows where window_start < ${new Date(now - 10 * WINDOW_MS)}`;
  }
  return { count, remaining: options.limitPerMinute - count };
}
