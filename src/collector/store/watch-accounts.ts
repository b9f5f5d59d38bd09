// The accounts the collector watches. Removal is a soft delete (active = 0):
// the server mirrors rows changed since the last sync, so a deleted row would
// never reach it, while a deactivated one does.
import type Database from "better-sqlite3";

export type Tier = "priority" | "discovery";

export type WatchAccount = {
  handle: string;
  user_id: string | null;
  tier: Tier;
  active: boolean;
  note: string | null;
  added_at: string;
  updated_at: string;
};

export type WatchAccountsApi = {
  /** Adds the account, or reactivates it and applies the given tier, note and user id. */
  add(input: { handle: string; tier: Tier; note?: string | null; userId?: string | null }): {
    account: WatchAccount;
    created: boolean;
  };
  list(options?: { tier?: Tier; includeInactive?: boolean }): WatchAccount[];
  get(handle: string): WatchAccount | undefined;
  /** Deactivates; false when there was no active account by that handle. */
  remove(handle: string): boolean;
  /** False when there is no such account. */
  setTier(handle: string, tier: Tier): boolean;
  /** Remembers the X user id found by a lookup. False when there is no such account. */
  setUserId(handle: string, userId: string): boolean;
};

const HANDLE = /^[a-z0-9_]{1,64}$/;

/** "@SomeOne " → "someone"; throws on anything that is not an X handle. */
export function normaliseHandle(handle: string): string {
  const h = handle.trim().replace(/^@/, "").toLowerCase();
  if (!HANDLE.test(h)) throw new RangeError(`not an X handle: "${handle}" (letters, digits and _ only)`);
  return h;
}

function checkTier(tier: string): Tier {
  if (tier !== "priority" && tier !== "discovery")
    throw new RangeError(`tier must be "priority" or "discovery", got "${tier}"`);
  return tier;
}

type Row = Omit<WatchAccount, "active"> & { active: number };
const toAccount = (row: Row): WatchAccount => ({ ...row, active: row.active === 1 });

export function createWatchAccounts(db: Database.Database, now: () => string): WatchAccountsApi {
  const get = (handle: string) => {
    const row = db.prepare("SELECT * FROM watch_accounts WHERE handle = ?").get(normaliseHandle(handle)) as
      Row | undefined;
    return row && toAccount(row);
  };

  // Each update names its change condition so that updated_at moves only on a real change.
  const update = (handle: string, set: string, params: Record<string, unknown>, changed: string): boolean => {
    const h = normaliseHandle(handle);
    const result = db
      .prepare(`UPDATE watch_accounts SET ${set}, updated_at = @now WHERE handle = @h AND (${changed})`)
      .run({ ...params, h, now: now() });
    return result.changes > 0 || get(h) !== undefined;
  };

  return {
    add(input) {
      const handle = normaliseHandle(input.handle);
      const tier = checkTier(input.tier);
      return db.transaction(() => {
        const existing = get(handle);
        if (!existing) {
          const t = now();
          db.prepare(
            "INSERT INTO watch_accounts (handle, user_id, tier, active, note, added_at, updated_at) VALUES (?, ?, ?, 1, ?, ?, ?)",
          ).run(handle, input.userId ?? null, tier, input.note ?? null, t, t);
          return { account: get(handle)!, created: true };
        }
        update(
          handle,
          "active = 1, tier = @tier, note = coalesce(@note, note), user_id = coalesce(@userId, user_id)",
          { tier, note: input.note ?? null, userId: input.userId ?? null },
          "active IS NOT 1 OR tier IS NOT @tier OR (@note IS NOT NULL AND note IS NOT @note) OR (@userId IS NOT NULL AND user_id IS NOT @userId)",
        );
        return { account: get(handle)!, created: false };
      })();
    },
    list(options = {}) {
      const rows = db
        .prepare(
          "SELECT * FROM watch_accounts WHERE (@tier IS NULL OR tier = @tier) AND (@all = 1 OR active = 1) ORDER BY tier DESC, handle",
        )
        .all({
          tier: options.tier === undefined ? null : checkTier(options.tier),
          all: options.includeInactive ? 1 : 0,
        }) as Row[];
      return rows.map(toAccount);
    },
    get,
    remove(handle) {
      const h = normaliseHandle(handle);
      return (
        db
          .prepare("UPDATE watch_accounts SET active = 0, updated_at = @now WHERE handle = @h AND active = 1")
          .run({ h, now: now() }).changes > 0
      );
    },
    setTier: (handle, tier) => update(handle, "tier = @tier", { tier: checkTier(tier) }, "tier IS NOT @tier"),
    setUserId(handle, userId) {
      if (!/^[0-9]{1,20}$/.test(userId)) throw new RangeError(`not an X user id: "${userId}"`);
      return update(handle, "user_id = @userId", { userId }, "user_id IS NOT @userId");
    },
  };
}
