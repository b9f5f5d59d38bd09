import { describe, expect, it } from "vitest";
import { cursorArgs, toPage } from "./pagination";

describe("keyset pagination", () => {
  it("asks for one row more than the page, after the cursor row", () => {
    expect(cursorArgs("runId", { limit: 50 })).toEqual({ take: 51 });
    expect(cursorArgs("runId", { limit: 50, cursor: "r-9" })).toEqual({ take: 51, cursor: { runId: "r-9" }, skip: 1 });
  });

  it("returns the page and the last row's key only when there is more", () => {
    const rows = [{ id: "a" }, { id: "b" }, { id: "c" }];
    expect(toPage(rows, 2, (r) => r.id)).toEqual({ items: [{ id: "a" }, { id: "b" }], nextCursor: "b" });
    expect(toPage(rows, 3, (r) => r.id)).toEqual({ items: rows, nextCursor: null });
    expect(toPage([], 3, (r: { id: string }) => r.id)).toEqual({ items: [], nextCursor: null });
  });
});
