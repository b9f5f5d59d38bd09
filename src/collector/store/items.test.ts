// rowToItemFor makes the cutover's lines: JSON.stringify of its item must be
// rowToItem's text for every row SQLite can give, legacy values that cannot
// be decoded included (they pass through unchanged).
import { describe, expect, it } from "vitest";
import { syncTableNames, tableCatalog, type SyncTable } from "~/shared/table-catalog";
import { rowToItem, rowToItemFor } from "./items";

const vectorBytes = new Uint8Array(new Float32Array([0.5, -1, 3.25]).buffer);

/** Values of every kind a legacy column may hold, whatever its declared type. */
const oddValues: unknown[] = [
  null,
  0,
  1,
  2,
  -0,
  0.1,
  1e21,
  Number.NaN,
  Number.POSITIVE_INFINITY,
  "",
  "1",
  "[]",
  '["1890000000000000000","1890000000000000001"]',
  '[ "spaced" , "out" ]',
  '["\\u0041 escaped", 1.50, null, {"b":1,"a":2}]',
  "[1,",
  '{"not":"an array"}',
  "not json",
  "lone \ud800 surrogate",
  'quote " backslash \\ newline \n tab \t ✓',
  Buffer.from("bytes in a text column"),
  vectorBytes,
  new Uint8Array(new Float32Array([1, 2]).buffer, 4, 4),
];

/** Each column of the table takes each odd value in turn (the others keep the first one's). */
function oddRows(columns: readonly string[]): Record<string, unknown>[] {
  return oddValues.flatMap((value) =>
    columns.map((target) => Object.fromEntries(columns.map((name) => [name, name === target ? value : oddValues[1]]))),
  );
}

const textOf = (table: SyncTable, row: Record<string, unknown>) => JSON.stringify(rowToItem(table, row));

describe("rowToItemFor", () => {
  it.each(syncTableNames)("gives rowToItem's JSON for %s, whatever its columns hold", (table) => {
    const columns = Object.keys(tableCatalog[table].columns);
    const itemOf = rowToItemFor(table, columns);
    for (const row of oddRows(columns)) expect(JSON.stringify(itemOf(row))).toBe(textOf(table, row));
  });

  it("keeps columns the catalog does not know, in the row's order, and leaves out the ones the row lacks", () => {
    const columns = ["legacy_extra", "status_id", "vector", "dims", "another"];
    const itemOf = rowToItemFor("embeddings", columns);
    const row = { legacy_extra: "x", status_id: "1", vector: vectorBytes, dims: 3, another: null };
    expect(JSON.stringify(itemOf(row))).toBe(textOf("embeddings", row));
    expect(Object.keys(itemOf(row))).toEqual(columns);
  });

  it("orders array-index and __proto__ column names as rowToItem does", () => {
    for (const columns of [
      ["status_id", "10", "2", "is_reply"],
      ["status_id", "__proto__", "is_reply"],
    ]) {
      const row = Object.fromEntries(columns.map((name, i) => [name, i % 2]));
      expect(JSON.stringify(rowToItemFor("posts", columns)(row))).toBe(textOf("posts", row));
    }
  });
});
