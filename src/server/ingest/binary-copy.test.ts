// Every SQL type of the catalog through binary COPY, against PostgreSQL's own
// reading of the same values as text: the row binary staging stores must be
// the row PostgreSQL makes of the value's text form, for awkward values and
// NULL in every column.
import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { from as copyFrom } from "pg-copy-streams";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDatabase, type TestDatabase } from "../../../test/support/database";
import type { SqlType } from "../../shared/table-catalog";
import { sqlPool } from "../db";
import { PgBinaryWriter } from "~/shared/pg-binary-writer";
import { writeField } from "./binary-copy";
import { binaryCopyChunks } from "./copy-staging";
import type { UpsertColumn } from "./upsert-sql";

let t: TestDatabase;
beforeAll(async () => {
  t = await createTestDatabase();
});
afterAll(async () => t?.drop());

const types: Record<string, SqlType> = {
  seq: "integer",
  flag: "boolean",
  n4: "integer",
  n8: "bigint",
  f8: "double precision",
  body: "text",
  tags: "text[]",
  vec: "real[]",
  at: "timestamptz",
};
const columns: UpsertColumn[] = Object.entries(types).map(([wire, type]) => ({ wire, column: wire, type }));

const awkward = 'quote " back\\slash\ttab\nnew line\r\nCRLF \\N {braces,comma} NULL é 𝄞 🚀';
const rows: Record<string, unknown>[] = [
  {
    flag: true,
    n4: 2_147_483_647,
    n8: Number.MAX_SAFE_INTEGER,
    f8: -0,
    body: awkward,
    tags: [awkward, "", "NULL", "a,b", "{x}"],
    vec: new Float32Array([-0, 1e-45, 3.4028234663852886e38, -1.5, 0.1]),
    at: "2026-02-25T19:39:12.123456+05:30",
  },
  {
    flag: false,
    n4: -2_147_483_648,
    n8: -Number.MAX_SAFE_INTEGER,
    f8: 5e-324,
    body: "",
    tags: [],
    vec: new Float32Array([]),
    at: "0001-01-01T00:00:00Z",
  },
  {
    flag: 1,
    n4: 0,
    n8: -1,
    f8: Number.MAX_VALUE,
    body: "𝄞".repeat(1000),
    tags: ["😀"],
    vec: [0.25, -2],
    at: "9999-12-31T23:59:59.999999-14:00",
  },
  { flag: 0, n4: -1, n8: 4_294_967_296, f8: -1e-300, body: "x", tags: ["y"], vec: [1], at: "1999-12-31T23:59:59.5Z" },
  {}, // NULL in every column
].map((row, seq) => ({ seq, ...row }));

/** The value as a text parameter PostgreSQL parses itself (-0 spelled out: String(-0) is "0"). */
function asTextParam(value: unknown): unknown {
  if (value === undefined) return null;
  if (typeof value === "number" && Object.is(value, -0)) return "-0";
  if (value instanceof Float32Array) return `{${Array.from(value, (v) => (Object.is(v, -0) ? "-0" : v)).join(",")}}`;
  return value;
}

describe("binary COPY", () => {
  it("stores every SQL type as PostgreSQL reads the same value's text", async () => {
    const client = await sqlPool(t.db).connect();
    try {
      await client.query("set timezone = 'UTC'");
      const def = columns.map((c) => `"${c.wire}" ${c.type}`).join(", ");
      await client.query(`create temporary table copied (${def})`);
      await client.query(`create temporary table parsed (${def})`);
      const copy = client.query(copyFrom(`copy copied from stdin with (format binary)`));
      await pipeline(Readable.from(binaryCopyChunks(columns, rows)), copy);
      const params = columns.map((c, i) => `$${i + 1}::${c.type}`).join(", ");
      for (const row of rows) {
        await client.query(
          `insert into parsed values (${params})`,
          columns.map((c) => asTextParam(row[c.wire])),
        );
      }
      const read = async (table: string) =>
        (await client.query<{ row: string }>(`select (x.*)::text as row from ${table} x order by seq`)).rows;
      const copied = await read("copied");
      expect(copied).toEqual(await read("parsed"));
      expect(copied).toHaveLength(rows.length);
      expect(copied[4]!.row).toBe("(4,,,,,,,,)");

      const { rows: back } = await client.query<Record<string, unknown>>(
        `select body, tags, f8::text as f8, vec::text as vec, at::text as at from copied order by seq`,
      );
      expect(back[0]).toEqual({
        body: awkward,
        tags: rows[0]!.tags,
        f8: "-0",
        vec: "{-0,1e-45,3.4028235e+38,-1.5,0.1}",
        at: "2026-02-25 14:09:12.123456+00",
      });
      expect(back[1]).toMatchObject({ body: "", tags: [], vec: "{}", at: "0001-01-01 00:00:00+00" });
      expect(back[2]).toMatchObject({ body: "𝄞".repeat(1000), tags: ["😀"], at: "10000-01-01 13:59:59.999999+00" });
    } finally {
      client.release();
    }
  });

  it("counts timestamptz in microseconds from 2000-01-01 UTC, offsets applied", () => {
    const micros = (iso: string) => {
      const w = new PgBinaryWriter(16);
      writeField(w, "timestamptz", iso);
      expect(w.bytes().readInt32BE(0)).toBe(8);
      return w.bytes().readBigInt64BE(4);
    };
    expect(micros("2000-01-01T00:00:00Z")).toBe(0n);
    expect(micros("2000-01-01T01:00:00.000001+01:00")).toBe(1n);
    expect(micros("1999-12-31T23:59:59.9Z")).toBe(-100_000n);
    expect(micros("1999-12-31T18:59:59.999999-05:00")).toBe(-1n);
    expect(micros("2026-02-25T19:39:12.5Z")).toBe(
      BigInt(Date.parse("2026-02-25T19:39:12.5Z") - Date.parse("2000-01-01T00:00:00Z")) * 1000n,
    );
    // The ends of the range storableTime accepts, computed with BigInt.
    const days = (to: string) => BigInt((Date.parse(to) - Date.parse("2000-01-01T00:00:00Z")) / 86_400_000);
    expect(micros("9999-12-31T23:59:59.999999Z")).toBe(
      (days("9999-12-31T00:00:00Z") * 86_400n + 86_399n) * 1_000_000n + 999_999n,
    );
    expect(micros("0001-01-01T00:00:00.000001Z")).toBe(days("0001-01-01T00:00:00Z") * 86_400_000_000n + 1n);
  });
});
