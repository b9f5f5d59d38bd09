// Test fixtures built from the same builders as the demo seed.
import { createCaller } from "../../src/server/api/root";
import { createInnerContext } from "../../src/server/api/trpc";
import type { Principal, Role } from "../../src/server/auth/principal";
import { createApiKey } from "../../src/server/auth/api-keys";
import type { Db } from "../../src/server/db";
import { buildPost } from "../../src/server/seed/builders";
import { randomFromState } from "../../src/shared/random";
import type { PostItem } from "../../src/shared/schemas/items";

/** A real key of that role; `collector` binds an ingest key to one collector. */
export async function principalFor(
  db: Db,
  role: Role,
  options: { collector?: string } = {},
): Promise<Principal & { key: string }> {
  const collector = options.collector ?? null;
  const created = await createApiKey(db, { name: `test-${role}`, role, collector });
  return {
    kind: "api-key",
    apiKeyId: created.id,
    keyPrefix: created.keyPrefix,
    name: created.name,
    role,
    collector,
    key: created.key,
  };
}

export function callerFor(db: Db, principal: Principal | null) {
  return createCaller(createInnerContext({ db, principal }));
}

export function makePosts(
  count: number,
  options: { seed?: number; firstId?: bigint; at?: number; mode?: string } = {},
): PostItem[] {
  const r = randomFromState(options.seed ?? 1);
  const first = options.firstId ?? 1_900_000_000_000_000_000n;
  const at = options.at ?? Date.parse("2026-11-20T10:00:00Z");
  return Array.from({ length: count }, (_, i) =>
    buildPost(r, {
      statusId: String(first + BigInt(i)),
      handle: "fedwatcher",
      createdAt: at - 60_000,
      collectedAt: at + i,
      mode: options.mode ?? "priority",
      runId: null,
    }),
  );
}

export function laterVersion(post: PostItem, ms: number, changes: Partial<PostItem> = {}): PostItem {
  return { ...post, ...changes, updated_at: new Date(Date.parse(post.updated_at) + ms).toISOString() };
}
