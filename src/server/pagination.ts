// Keyset pagination over Prisma's cursor, shared by every list the console
// pages through: ask for one row more than the page to learn whether a next
// page exists, and hand back the last row's key as the next cursor.

export type PageRequest = { cursor?: string | undefined; limit: number };

/** The `take`/`cursor`/`skip` arguments of a `findMany` for one page keyed by `key`. */
export function cursorArgs<K extends string>(key: K, request: PageRequest) {
  return {
    take: request.limit + 1,
    ...(request.cursor ? { cursor: { [key]: request.cursor } as Record<K, string>, skip: 1 } : {}),
  };
}

/** The page and the cursor of the next one (null on the last page). */
export function toPage<T>(
  rows: T[],
  limit: number,
  keyOf: (row: T) => string,
): { items: T[]; nextCursor: string | null } {
  const hasMore = rows.length > limit;
  const items = hasMore ? rows.slice(0, limit) : rows;
  const last = items[items.length - 1];
  return { items, nextCursor: hasMore && last !== undefined ? keyOf(last) : null };
}
