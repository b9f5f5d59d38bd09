import type { Prisma } from "~/generated/prisma/client";
import { sqlPool, type Db } from "../db";
import { AppError } from "../errors";
import { cursorArgs, toPage } from "../pagination";
import { postDetailSelect, toPostView, type PostRowLike } from "./post-view";
import type { PostView } from "~/shared/post-view";

// The lookup is the API's hottest read: one prepared statement on the pg pool
// instead of Prisma's query compiler (decisions/006). Columns come from
// postDetailSelect, aliased to its field names, so both paths give one shape.
const snakeCase = (field: string) => field.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
const postByStatusIdSql = `select ${Object.keys(postDetailSelect)
  .map((field) => `${snakeCase(field)} as "${field}"`)
  .join(", ")} from posts where status_id = $1`;

export async function getPostByStatusId(db: Db, statusId: string): Promise<PostView> {
  const { rows } = await sqlPool(db).query<PostRowLike>({
    name: "post_by_status_id",
    text: postByStatusIdSql,
    values: [statusId],
  });
  const row = rows[0];
  if (!row)
    throw new AppError(
      "NOT_FOUND",
      `No post with status_id ${statusId} on the server: it has not been ingested (check the collector's last runs, or run catch-up).`,
    );
  return toPostView(row);
}

export type ListPostsOptions = {
  author?: string | undefined;
  mode?: string | undefined;
  since?: string | undefined;
  until?: string | undefined;
  text?: string | undefined;
  minScore?: number | undefined;
  cursor?: string | undefined;
  limit: number;
};

/** A search text as a literal inside ILIKE: Prisma's `contains` passes %, _ and \ through as wildcards. */
export function escapeLikePattern(text: string): string {
  return text.replace(/[\\%_]/g, (c) => `\\${c}`);
}

/** Newest first by created_at, then status_id; the cursor is the last row's status_id. */
export async function listPosts(db: Db, options: ListPostsOptions) {
  const where: Prisma.PostWhereInput = {
    ...(options.author ? { authorHandle: options.author.replace(/^@/, "").toLowerCase() } : {}),
    ...(options.mode ? { mode: options.mode } : {}),
    ...(options.since || options.until
      ? {
          createdAt: {
            ...(options.since ? { gte: new Date(options.since) } : {}),
            ...(options.until ? { lt: new Date(options.until) } : {}),
          },
        }
      : {}),
    ...(options.text ? { body: { contains: escapeLikePattern(options.text), mode: "insensitive" } } : {}),
    ...(options.minScore !== undefined ? { score: { gte: options.minScore } } : {}),
  };
  const rows = await db.post.findMany({
    where,
    select: postDetailSelect,
    orderBy: [{ createdAt: "desc" }, { statusId: "desc" }],
    ...cursorArgs("statusId", options),
  });
  const page = toPage(rows, options.limit, (row) => row.statusId);
  return { items: page.items.map(toPostView), nextCursor: page.nextCursor };
}
