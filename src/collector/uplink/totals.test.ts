import { describe, expect, it } from "vitest";
import { addTableResult, describeTotals, zeroTableResults } from "./totals";

describe("totals", () => {
  it("adds up anomalies with the counts and says how many rows were stored with them", () => {
    const tables = zeroTableResults();
    addTableResult(tables.posts, { inserted: 3, updated: 1, unchanged: 0, rejected: 1, anomalies: 2 });
    addTableResult(tables.watchAccounts, { inserted: 1, updated: 0, unchanged: 0, rejected: 0, anomalies: 1 });
    expect(tables.posts).toEqual({ inserted: 3, updated: 1, unchanged: 0, rejected: 1, anomalies: 2 });
    expect(describeTotals(tables)).toBe(
      "posts=3/1/0/1 watchAccounts=1/0/0/0 (inserted/updated/unchanged/rejected); 3 rows stored with anomalies (values X would not issue)",
    );
  });

  it("counts a result without anomalies (a checkpoint or server from before they were counted) as none", () => {
    const tables = zeroTableResults();
    const older = { inserted: 2, updated: 0, unchanged: 0, rejected: 0 } as Parameters<typeof addTableResult>[1];
    addTableResult(tables.posts, older);
    expect(tables.posts.anomalies).toBe(0);
    expect(describeTotals(tables)).toBe("posts=2/0/0/0 (inserted/updated/unchanged/rejected)");
  });
});
