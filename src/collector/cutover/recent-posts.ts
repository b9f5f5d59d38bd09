// The report's last check of a cutover: the most recent posts of the
// snapshot (by created_at), each looked up through the public door
// (GET /api/v1/posts/{statusId}) and matched on author and body.
import type { ServerClient } from "../uplink/server-client";
import { postViewToItem } from "./compare";
import { openSnapshot } from "./export";

export type RecentPost = {
  statusId: string;
  author: string;
  found: boolean;
  authorMatches: boolean;
  bodyMatches: boolean;
};

export async function checkRecentPosts(options: {
  snapshot: string;
  api: ServerClient;
  count: number;
}): Promise<RecentPost[]> {
  const snapshot = openSnapshot(options.snapshot);
  let rows: { status_id: string; author_handle: string; body: string }[];
  try {
    rows = snapshot.has("tweets")
      ? (snapshot.db
          .prepare("select status_id, author_handle, body from tweets order by created_at desc, status_id desc limit ?")
          .all(options.count) as typeof rows)
      : [];
  } finally {
    snapshot.db.close();
  }
  const out: RecentPost[] = [];
  for (const row of rows) {
    const view = await options.api.postViewRest(row.status_id);
    const item = view ? postViewToItem(view) : undefined;
    out.push({
      statusId: row.status_id,
      author: row.author_handle,
      found: item !== undefined,
      authorMatches: item?.author_handle === row.author_handle,
      bodyMatches: item?.body === row.body,
    });
  }
  return out;
}
