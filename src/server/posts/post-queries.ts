import type { Prisma } from "~/generated/prisma/client";
import { sqlPool, type Db } from "../db";
import { AppError } from "../errors";

export const postDetailSelect = {
  statusId: true,
  authorHandle: true,
  authorId: true,
  body: true,
  lang: true,
  url: true,
  createdAt: true,
  collectedAt: true,
  mode: true,
  runId: true,
  likeCount: true,
  repostCount: true,
  replyCount: true,
  quoteCount: true,
  viewCount: true,
  isReply: true,
  isRepost: true,
  conversationId: true,
  score: true,
  rawJson: true,
  sourceUpdatedAt: true,
  ingestedAt: true,
  updatedAt: true,
} satisfies Prisma.PostSelect;

type PostRow = Prisma.PostGetPayload<{ select: typeof postDetailSelect }>;
/** pg hands int8 columns back as strings; Prisma as bigint. */
type PostRowLike = Omit<PostRow, "viewCount"> & { viewCount: bigint | string | null };

/** The post as the API shows it: snake_case, metrics grouped, numbers as numbers. */
export function toPostView(row: PostRowLike) {
  return {
    status_id: row.statusId,
    author: { handle: row.authorHandle, id: row.authorId },
    body: row.body,
    lang: row.lang,
    url: row.url,
    created_at: row.createdAt.toISOString(),
    collected_at: row.collectedAt.toISOString(),
    mode: row.mode,
    run_id: row.runId,
    metrics: {
      like_count: row.likeCount,
      repost_count: row.repostCount,
      reply_count: row.replyCount,
      quote_count: row.quoteCount,
      view_count: row.viewCount === null ? null : Number(row.viewCount),
    },
    is_reply: row.isReply,
    is_repost: row.isRepost,
    conversation_id: row.conversationId,
    score: row.score,
    raw_json: row.rawJson,
    source_updated_at: row.sourceUpdatedAt.toISOString(),
    ingested_at: row.ingestedAt.toISOString(),
    updated_at: row.updatedAt.toISOString(),
  };
}
export type PostView = ReturnType<typeof toPostView>;

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
    take: options.limit + 1,
    ...(options.cursor ? { cursor: { statusId: options.cursor }, skip: 1 } : {}),
  });
  const hasMore = rows.length > options.limit;
  const page = hasMore ? rows.slice(0, options.limit) : rows;
  return { items: page.map(toPostView), nextCursor: hasMore ? page[page.length - 1]!.statusId : null };
}
