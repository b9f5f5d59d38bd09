// The post as the API shows it (posts.byStatusId, GET /api/v1/posts/{statusId}),
// derived from the posts table in the catalog: each column under its server
// name, or nested where the catalog's `view` puts it (author, metrics),
// then the server's own ingested_at and updated_at, and the anomalies stored
// with the row (decisions/014). The server builds it
// (src/server/posts/post-view.ts); the cutover's spot check reads it back
// into the item shape (viewToItem).
import type { StoredRow } from "./schemas/items";
import { serverColumnOf, tableCatalog, type ColumnsOf, type SqlType, type TableSpec } from "./table-catalog";

export type PostViewField = { wire: string; server: string; type: SqlType; group: string | null; name: string };

/** Where each column of a table lands in its view, in column order. */
export function viewFieldsOf(spec: TableSpec): PostViewField[] {
  return Object.entries(spec.columns).map(([wire, col]) => {
    const server = serverColumnOf(wire, col);
    return { wire, server, type: col.type, group: col.view?.[0] ?? null, name: col.view?.[1] ?? server };
  });
}

export const postViewFields = viewFieldsOf(tableCatalog.posts);

/** A view back in the item shape (wire names); what the view lacks stays undefined. */
export function viewToItem(fields: readonly PostViewField[], view: Record<string, unknown>): Record<string, unknown> {
  const item: Record<string, unknown> = {};
  for (const field of fields) {
    const holder = field.group === null ? view : ((view[field.group] ?? {}) as Record<string, unknown>);
    item[field.wire] = holder[field.name];
  }
  return item;
}

type Columns = ColumnsOf<"posts">;
type Row = StoredRow<"posts">;
type ValueOf<K> = K extends keyof Row ? Row[K] : never;
type ServerName<K extends keyof Columns> = Columns[K] extends { server: infer S extends string } ? S : K & string;
type Group = {
  [K in keyof Columns]: Columns[K] extends { view: readonly [infer G, string] } ? G : never;
}[keyof Columns];
type Simplify<T> = { [K in keyof T]: T[K] } & {};

export type PostView = Simplify<
  { [K in keyof Columns as Columns[K] extends { view: object } ? never : ServerName<K>]: ValueOf<K> } & {
    [G in Group]: Simplify<{
      [K in keyof Columns as Columns[K] extends { view: readonly [G, infer F extends string] } ? F : never]: ValueOf<K>;
    }>;
  } & { ingested_at: string; updated_at: string; anomalies: string[] }
>;
