// The table catalog (src/shared/table-catalog.ts) against the two other
// places that define the mirrored tables: the collector's SQLite contract,
// loaded into a real SQLite database, and the server's tables in a database
// migrated from prisma/migrations (which the drift test holds to
// schema.prisma). Names, types, nullability, defaults and keys must agree,
// and so must the item schemas derived from the catalog.
import Database from "better-sqlite3";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SQLITE_SCHEMA } from "../src/collector/store/schema";
import { hashColumns, SHARED_TABLES } from "../src/shared/row-hash";
import { sqlPool } from "../src/server/db";
import { itemSchemas } from "../src/shared/schemas/items";
import {
  ANOMALIES_COLUMN,
  serverColumnOf,
  sqliteTypeOf,
  syncTableNames,
  tableCatalog,
  type ColumnSpec,
  type SqlType,
  type TableSpec,
} from "../src/shared/table-catalog";
import { createTestDatabase, type TestDatabase } from "./support/database";

type SqliteColumn = { name: string; type: string; notnull: number; dflt_value: string | null; pk: number };
type ServerColumn = {
  name: string;
  type: string;
  not_null: boolean;
  default_value: string | null;
  primary_key: boolean;
};

/** How each server type prints in format_type(): times are stored to the millisecond, as Prisma's @db.Timestamptz(3). */
const serverTypeName: Record<SqlType, string> = {
  text: "text",
  timestamptz: "timestamp(3) with time zone",
  integer: "integer",
  bigint: "bigint",
  boolean: "boolean",
  "double precision": "double precision",
  "text[]": "text[]",
  "real[]": "real[]",
};

/** The server's own columns on every mirrored table: first seen and last changed there, and the row's anomalies. */
const BOOKKEEPING: ServerColumn[] = [
  ...["ingested_at", "updated_at"].map((name) => ({
    name,
    type: serverTypeName.timestamptz,
    not_null: true,
    default_value: "CURRENT_TIMESTAMP",
    primary_key: false,
  })),
  { name: ANOMALIES_COLUMN, type: "text[]", not_null: false, default_value: "ARRAY[]::text[]", primary_key: false },
];

type Default = ColumnSpec["default"];

const sqliteDefault = (value: Default) =>
  value === undefined ? null : Array.isArray(value) ? `'${JSON.stringify(value)}'` : String(Number(value));
const serverDefault = (value: Default) =>
  value === undefined
    ? null
    : Array.isArray(value)
      ? `ARRAY[${value.map((v) => `'${v}'`).join(", ")}]::text[]`
      : String(value);

function expectedSqlite(spec: TableSpec): SqliteColumn[] {
  return Object.entries(spec.columns).map(([name, col]) => ({
    name,
    type: sqliteTypeOf[col.type],
    // SQLite lets a TEXT PRIMARY KEY hold NULL unless it says NOT NULL; the contract's keys do not say it.
    notnull: col.nullable || name === spec.key ? 0 : 1,
    dflt_value: sqliteDefault(col.default),
    pk: name === spec.key ? 1 : 0,
  }));
}

/**
 * A shared table's stored row hash (decisions/020): generated from exactly the
 * hashed columns, in their order, so a catalog change without a migration fails here.
 */
function storedRowHash(spec: TableSpec): ServerColumn[] {
  const table = syncTableNames.find((name) => tableCatalog[name] === spec)!;
  if (!SHARED_TABLES.includes(table)) return [];
  const columns = hashColumns[table].map((c) => c.server).join(", ");
  return [
    {
      name: "row_hash",
      type: "bigint",
      not_null: false,
      default_value: `((('x'::text || substr(md5(row_hash_record_send(ROW(${columns}))), 1, 13)))::bit(52))::bigint`,
      primary_key: false,
    },
  ];
}

function expectedServer(spec: TableSpec): ServerColumn[] {
  const fromItem = Object.entries(spec.columns).map(([name, col]) => ({
    name: serverColumnOf(name, col),
    type: serverTypeName[col.type],
    // Prisma has no NOT NULL list: its String[]/Float[] columns accept NULL in SQL. Only the
    // item schemas keep NULL out of them (checked below), so this is where they differ.
    not_null: !col.nullable && !col.type.endsWith("[]"),
    default_value: serverDefault(col.default),
    primary_key: name === spec.key,
  }));
  const fromBatch = Object.entries(spec.fromBatch ?? {}).map(([name, col]) => ({
    name,
    type: serverTypeName[col.type],
    not_null: !col.nullable,
    default_value: null,
    // The collector of a table the collectors own leads its key (docs/decisions/012).
    primary_key: col.inKey === true,
  }));
  return [...fromItem, ...fromBatch, ...BOOKKEEPING, ...storedRowHash(spec)].sort((a, b) =>
    a.name.localeCompare(b.name),
  );
}

let t: TestDatabase;
let sqlite: Database.Database;

beforeAll(async () => {
  t = await createTestDatabase();
  sqlite = new Database(":memory:");
  sqlite.exec(SQLITE_SCHEMA);
});
afterAll(async () => {
  sqlite?.close();
  await t?.drop();
});

async function serverColumns(table: string): Promise<ServerColumn[]> {
  const { rows } = await sqlPool(t.db).query<ServerColumn>(
    `select a.attname as name, format_type(a.atttypid, a.atttypmod) as type, a.attnotnull as not_null,
            pg_get_expr(d.adbin, d.adrelid) as default_value,
            exists (select 1 from pg_index i where i.indrelid = a.attrelid and i.indisprimary and a.attnum = any(i.indkey)) as primary_key
       from pg_attribute a left join pg_attrdef d on d.adrelid = a.attrelid and d.adnum = a.attnum
      where a.attrelid = $1::regclass and a.attnum > 0 and not a.attisdropped
      order by a.attname`,
    [`public."${table}"`],
  );
  return rows;
}

describe("the table catalog", () => {
  it("names exactly the contract's tables", () => {
    const tables = sqlite.prepare("select name from sqlite_master where type = 'table' order by name").pluck().all();
    expect(tables).toEqual(syncTableNames.map((table) => tableCatalog[table].sqlite).sort());
  });

  it.each(syncTableNames)("%s: agrees with the SQLite contract, column by column and in order", (table) => {
    const spec: TableSpec = tableCatalog[table];
    const actual = sqlite.prepare(`select * from pragma_table_info(?)`).all(spec.sqlite) as (SqliteColumn & {
      cid: number;
    })[];
    expect(actual.map(({ cid: _, ...column }) => column)).toEqual(expectedSqlite(spec));
  });

  it.each(syncTableNames)("%s: agrees with the migrated server table", async (table) => {
    const spec: TableSpec = tableCatalog[table];
    expect(await serverColumns(spec.server)).toEqual(expectedServer(spec));
  });

  it.each(syncTableNames)("%s: its since column is a required source time on both sides", (table) => {
    const spec: TableSpec = tableCatalog[table];
    const since = spec.columns[spec.sinceColumn];
    expect(since).toMatchObject({ type: "timestamptz" });
    expect(since?.nullable).toBeUndefined();
  });

  it.each(syncTableNames)("%s: its item schema takes null and leaves out exactly what the catalog allows", (table) => {
    const spec: TableSpec = tableCatalog[table];
    const shape = itemSchemas[table].shape as Record<string, { safeParse: (v: unknown) => { success: boolean } }>;
    expect(Object.keys(shape)).toEqual(Object.keys(spec.columns));
    for (const [name, col] of Object.entries(spec.columns)) {
      expect(shape[name]!.safeParse(null).success, `${table}.${name} takes null`).toBe(col.nullable === true);
      expect(shape[name]!.safeParse(undefined).success, `${table}.${name} may be left out`).toBe(
        col.nullable === true || col.default !== undefined,
      );
    }
  });
});
