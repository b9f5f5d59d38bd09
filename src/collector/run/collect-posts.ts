// What one run fetches, by mode: priority watches the priority accounts'
// timelines since their newest stored post; discovery runs the configured
// search queries and the discovery accounts; refresh-24h re-fetches the last
// day's posts so their metrics move.
import type { PostSource, SourcePost } from "../sources/post-source";
import type { SqliteStore } from "../store/sqlite-store";

export type CollectMode = "priority" | "discovery" | "refresh-24h";

export type CollectedPost = SourcePost & { tier: "priority" | "discovery" | null };

export async function collectPosts(options: {
  mode: CollectMode;
  store: SqliteStore;
  source: PostSource;
  queries: readonly string[];
  now: Date;
}): Promise<CollectedPost[]> {
  const { store, source } = options;
  const byId = new Map<string, CollectedPost>();
  const add = (posts: SourcePost[], tier: CollectedPost["tier"]) => {
    for (const post of posts) if (!byId.has(post.status_id)) byId.set(post.status_id, { ...post, tier });
  };
  const timelines = async (tier: "priority" | "discovery", sinceNewest: boolean) => {
    for (const account of store.watchAccounts.list({ tier })) {
      const sinceId = sinceNewest ? store.newestStatusId({ authorHandle: account.handle }) : undefined;
      add(await source.fetchUserTimeline({ handle: account.handle, user_id: account.user_id }, sinceId), tier);
    }
  };
  if (options.mode === "priority") {
    await timelines("priority", true);
  } else if (options.mode === "discovery") {
    for (const query of options.queries)
      add(await source.searchRecent(query, store.newestStatusId({ mode: "discovery" })), null);
    await timelines("discovery", true);
  } else {
    const dayAgo = options.now.getTime() - 86_400_000;
    await timelines("priority", false);
    await timelines("discovery", false);
    for (const [id, post] of byId) if (Date.parse(post.created_at) < dayAgo) byId.delete(id);
  }
  return [...byId.values()];
}
