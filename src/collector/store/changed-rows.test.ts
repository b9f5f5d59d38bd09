import { describe, expect, it } from "vitest";
import { syncTableNames, syncTables } from "~/shared/schemas/tables";
import { tweet, useTempStore } from "../../../test/support/temp-store";

const t = useTempStore();

describe("readChangedSince and countSince", () => {
  // Rows as an older collector wrote them: times without milliseconds.
  function insertLegacyRows() {
    const at = "2026-02-25T19:39:12Z";
    t.store.db
      .prepare(
        `INSERT INTO tweets (status_id, author_handle, body, created_at, collected_at, mode, is_reply, is_repost, updated_at) VALUES ('10', 'old', 'legacy', ?, ?, 'priority', 1, 0, ?)`,
      )
      .run(at, at, at);
    t.store.db
      .prepare(
        `INSERT INTO runs (run_id, mode, run_at, status, updated_at) VALUES ('run-old', 'priority', ?, 'success', ?)`,
      )
      .run(at, at);
    t.store.db
      .prepare(
        `INSERT INTO reports (report_id, kind, title, body_md, status_ids, created_at, updated_at) VALUES ('rep-old', 'alert', 'T', 'B', '["10"]', ?, ?)`,
      )
      .run(at, at);
    t.store.db
      .prepare(
        `INSERT INTO watch_accounts (handle, tier, active, added_at, updated_at) VALUES ('old', 'priority', 0, ?, ?)`,
      )
      .run(at, at);
    t.store.db
      .prepare(
        `INSERT INTO tweet_embeddings (status_id, model, dims, vector, created_at, updated_at) VALUES ('10', 'm', 2, ?, ?, ?)`,
      )
      .run(Buffer.from([0, 0, 128, 63, 0, 0, 0, 192]), at, at);
    t.store.db
      .prepare(
        `INSERT INTO window_summaries (window_id, mode, window_start, window_end, post_count, summary_md, top_status_ids, created_at, updated_at) VALUES ('w', 'priority', ?, ?, 1, 's', '["10"]', ?, ?)`,
      )
      .run(at, at, at, at);
    t.store.db
      .prepare(
        `INSERT INTO narrative_shifts (shift_id, topic, detected_at, magnitude, description, status_ids, created_at, updated_at) VALUES ('sh', 'x', ?, 0.5, 'd', 'not json', ?, ?)`,
      )
      .run(at, at, at);
  }

  it("includes a legacy second-precision row at exactly `since`, in both forms of since", () => {
    insertLegacyRows();
    for (const since of ["2026-02-25T19:39:12Z", "2026-02-25T19:39:12.000Z"]) {
      for (const table of syncTableNames) {
        expect([...t.store.readChangedSince(table, since)], `${table} since ${since}`).toHaveLength(1);
        expect(t.store.countSince(table, since), `${table} since ${since}`).toBe(1);
      }
    }
    for (const table of syncTableNames) {
      // Text comparison would put "…12Z" after "…12.001Z"; by instant it is before.
      expect([...t.store.readChangedSince(table, "2026-02-25T19:39:12.001Z")]).toHaveLength(0);
      expect(t.store.countSince(table, "2026-02-25T19:39:12.001Z")).toBe(0);
    }
  });

  it("converts rows to items the shared schemas accept", () => {
    insertLegacyRows();
    const all = Object.fromEntries(syncTableNames.map((table) => [table, [...t.store.readChangedSince(table)]]));
    expect(all.posts?.[0]).toMatchObject({ status_id: "10", is_reply: true, is_repost: false });
    expect(all.reports?.[0]).toMatchObject({ status_ids: ["10"] });
    expect(all.watchAccounts?.[0]).toMatchObject({ handle: "old", active: false });
    // The BLOB's bytes as they are, base64: the float32 values 1 and -2.
    expect(all.embeddings?.[0]).toMatchObject({ dims: 2, vector: "AACAPwAAAMA=" });
    expect(Array.from(syncTables.embeddings.schema.parse(all.embeddings?.[0]).vector)).toEqual([1, -2]);
    expect(all.windowSummaries?.[0]).toMatchObject({ top_status_ids: ["10"] });
    // Undecodable legacy JSON is passed on as is, for the server to reject that one item.
    expect(all.narrativeShifts?.[0]).toMatchObject({ status_ids: "not json" });
    for (const table of syncTableNames) {
      for (const item of all[table] ?? []) {
        const parsed = syncTables[table].schema.safeParse(item);
        expect(parsed.success, `${table}: ${JSON.stringify(parsed.error?.issues)}`).toBe(
          table === "narrativeShifts" ? false : true,
        );
      }
    }
  });

  it("streams rows changed since a time, oldest change first, and counts by the source time column", () => {
    t.store.upsertTweets([tweet({ status_id: "1" })]);
    t.now = new Date("2026-02-25T21:00:00.000Z");
    t.store.upsertTweets([tweet({ status_id: "2" })]);
    t.now = new Date("2026-02-25T22:00:00.000Z");
    t.store.upsertTweets([tweet({ status_id: "1", like_count: 99 })]);

    expect([...t.store.readChangedSince("posts", "2026-02-25T21:00:00Z")].map((p) => p.status_id)).toEqual(["2", "1"]);
    // collected_at, not updated_at: the update of post 1 does not make it count again.
    expect(t.store.countSince("posts", "2026-02-25T21:00:00Z")).toBe(1);
    expect(t.store.countSince("posts", undefined)).toBe(2);

    const iterator = t.store.readChangedSince("posts");
    expect(iterator.next().value).toMatchObject({ status_id: "2" });
    iterator.return(undefined);
    // A returned iterator frees the connection for writes.
    expect(t.store.upsertTweets([tweet({ status_id: "3" })]).inserted).toEqual(["3"]);
  });
});

describe("readChangedPage", () => {
  it("pages through ties on updated_at by key, every row once, with no statement left open between pages", () => {
    const insert = t.store.db.prepare(
      "INSERT INTO watch_accounts (handle, tier, added_at, updated_at) VALUES (?, 'priority', ?, ?)",
    );
    const times = ["2026-02-25T19:00:00.000Z", "2026-02-25T19:00:00Z", "2026-02-25T20:00:00.000Z"];
    for (let i = 0; i < 30; i++) insert.run(`acct_${String(i).padStart(2, "0")}`, times[i % 3], times[i % 3]);
    const seen: string[] = [];
    for (
      let page = t.store.readChangedPage("watchAccounts", "2026-02-25T18:00:00Z", null, 7);
      page.items.length > 0;
      page = t.store.readChangedPage("watchAccounts", "2026-02-25T18:00:00Z", page.next, 7)
    ) {
      seen.push(...page.items.map((a) => a.handle));
      // A write between pages (another job, or after a failed push) must not find the connection busy.
      t.store.db.prepare("UPDATE watch_accounts SET note = 'touched' WHERE handle = 'nobody'").run();
    }
    expect(seen).toHaveLength(30);
    expect(new Set(seen).size).toBe(30);
    // Both spellings of 19:00 are the same instant: those 20 rows come first, by key.
    expect(seen.slice(0, 20)).toEqual([...seen.slice(0, 20)].sort());
    expect(seen.slice(20).every((h) => Number(h.slice(5)) % 3 === 2)).toBe(true);
    expect([...t.store.readChangedSince("watchAccounts", "2026-02-25T19:30:00Z")]).toHaveLength(10);
  });
});
