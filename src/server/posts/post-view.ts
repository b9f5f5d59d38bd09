// The post view (src/shared/post-view.ts) from a stored row: one select for
// Prisma and for the raw lookup, and one conversion, both derived from the
// posts table in the catalog. Prisma names each column in camelCase
// (schema.prisma maps them to snake_case), so the field of `source_updated_at`
// is `sourceUpdatedAt`.
import type { Prisma } from "~/generated/prisma/client";
import { postViewFields, type PostView, type PostViewField } from "~/shared/post-view";
import { ANOMALIES_COLUMN, type ColumnsOf } from "~/shared/table-catalog";

type Camel<S extends string> = S extends `${infer Head}_${infer Tail}` ? `${Head}${Capitalize<Camel<Tail>>}` : S;
type ServerName<K extends keyof ColumnsOf<"posts">> = ColumnsOf<"posts">[K] extends { server: infer S extends string }
  ? S
  : K & string;

const camelCase = (column: string) => column.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase());

/** The server's own bookkeeping columns, shown after the mirrored ones. */
const bookkeeping = ["ingested_at", "updated_at"] as const;

export const postDetailSelect = Object.fromEntries(
  [...postViewFields.map((f) => f.server), ...bookkeeping, ANOMALIES_COLUMN].map((column) => [camelCase(column), true]),
) as { [K in keyof ColumnsOf<"posts"> as Camel<ServerName<K>>]: true } & {
  ingestedAt: true;
  updatedAt: true;
  anomalies: true;
};

// A field the Prisma model does not have would only fail at run time: refuse it at compile time.
const selectMatchesModel: Exclude<keyof typeof postDetailSelect, keyof Prisma.PostSelect> extends never ? true : never =
  true;
void selectMatchesModel;

type PostRow = Prisma.PostGetPayload<{ select: typeof postDetailSelect }>;
/** pg hands int8 columns back as strings; Prisma as bigint. */
export type PostRowLike = { [K in keyof PostRow]: PostRow[K] extends bigint | null ? PostRow[K] | string : PostRow[K] };

type Converter = { name: string; group: string | null; field: string; convert: (value: unknown) => unknown };

function converterOf(field: Pick<PostViewField, "server" | "type" | "group" | "name">): Converter {
  const convert =
    field.type === "timestamptz"
      ? (v: unknown) => (v as Date).toISOString()
      : field.type === "bigint"
        ? (v: unknown) => (v === null ? null : Number(v))
        : field.server === ANOMALIES_COLUMN
          ? (v: unknown) => v ?? []
          : (v: unknown) => v;
  return { name: field.name, group: field.group, field: camelCase(field.server), convert };
}

/** A view builder for these fields, its conversions worked out once (the lookup is the API's hottest read). */
export function postViewBuilder(
  fields: readonly PostViewField[],
): (row: Record<string, unknown>) => Record<string, unknown> {
  const converters = [
    ...fields,
    ...bookkeeping.map((server) => ({ server, type: "timestamptz" as const, group: null, name: server })),
    { server: ANOMALIES_COLUMN, type: "text[]" as const, group: null, name: ANOMALIES_COLUMN },
  ].map(converterOf);
  return (row) => {
    const view: Record<string, unknown> = {};
    for (const { name, group, field, convert } of converters) {
      const value = convert(row[field]);
      if (group === null) view[name] = value;
      else ((view[group] ??= {}) as Record<string, unknown>)[name] = value;
    }
    return view;
  };
}

const buildPostView = postViewBuilder(postViewFields);

/** The post as the API shows it: snake_case, grouped where the catalog says, numbers as numbers, times as ISO text. */
export function toPostView(row: PostRowLike): PostView {
  return buildPostView(row) as PostView;
}
