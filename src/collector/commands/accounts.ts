// `collector accounts add|list|remove|set-tier`: the watch list.
import type { CollectorContext } from "../context";
import type { Tier } from "../store/watch-accounts";

export function accountsAdd(ctx: CollectorContext, options: { handle: string; tier: Tier; note?: string }) {
  const { account, created } = ctx.store.watchAccounts.add({
    handle: options.handle,
    tier: options.tier,
    note: options.note ?? null,
  });
  ctx.log.info(`${created ? "added" : "updated"} @${account.handle} (${account.tier})`);
  return account;
}

export function accountsList(ctx: CollectorContext, options: { tier?: Tier; all?: boolean; json?: boolean }) {
  const accounts = ctx.store.watchAccounts.list({
    ...(options.tier ? { tier: options.tier } : {}),
    includeInactive: options.all ?? false,
  });
  if (options.json) process.stdout.write(`${JSON.stringify(accounts)}\n`);
  else if (accounts.length === 0) ctx.log.info("no watch accounts: collector accounts add <handle> --tier priority");
  else
    for (const a of accounts)
      ctx.log.info(
        `@${a.handle.padEnd(20)} ${a.tier.padEnd(9)} ${a.active ? "active" : "removed"}${a.note ? `  ${a.note}` : ""}`,
      );
  return accounts;
}

export function accountsRemove(ctx: CollectorContext, options: { handle: string }) {
  const removed = ctx.store.watchAccounts.remove(options.handle);
  ctx.log.info(
    removed
      ? `removed @${options.handle.replace(/^@/, "").toLowerCase()} (kept as inactive so the server learns of it)`
      : `@${options.handle} is not on the watch list`,
  );
  return removed;
}

export function accountsSetTier(ctx: CollectorContext, options: { handle: string; tier: Tier }) {
  const changed = ctx.store.watchAccounts.setTier(options.handle, options.tier);
  ctx.log.info(changed ? `@${options.handle} is now ${options.tier}` : `@${options.handle} is not on the watch list`);
  return changed;
}
