import { describe, expect, it } from "vitest";
import { tweet, useTempStore } from "../../../test/support/temp-store";

const t = useTempStore();

describe("upsertTweets", () => {
  it("inserts, then updates only what changed, stamping updated_at only on change", () => {
    expect(t.store.upsertTweets([tweet()])).toEqual({ inserted: ["1894567890123456789"], updated: [], unchanged: 0 });
    const first = t.store.db.prepare("SELECT * FROM tweets").get() as Record<string, unknown>;
    expect(first).toMatchObject({
      author_handle: "macro_desk",
      created_at: "2026-02-25T19:39:12.000Z",
      collected_at: "2026-02-25T20:00:00.000Z",
      updated_at: "2026-02-25T20:00:00.000Z",
    });

    t.now = new Date("2026-02-25T20:10:00.000Z");
    // The same instant written with milliseconds is not a change.
    expect(t.store.upsertTweets([tweet({ created_at: "2026-02-25T19:39:12.000Z" })])).toEqual({
      inserted: [],
      updated: [],
      unchanged: 1,
    });
    expect(t.store.db.prepare("SELECT updated_at FROM tweets").pluck().get()).toBe("2026-02-25T20:00:00.000Z");

    t.now = new Date("2026-02-25T20:20:00.000Z");
    expect(t.store.upsertTweets([tweet({ like_count: 11, mode: "discovery", run_id: "r2" })]).updated).toEqual([
      "1894567890123456789",
    ]);
    const after = t.store.db.prepare("SELECT * FROM tweets").get() as Record<string, unknown>;
    // First sight stays: collected_at, mode and run_id describe when it was found.
    expect(after).toMatchObject({
      like_count: 11,
      mode: "priority",
      run_id: null,
      collected_at: "2026-02-25T20:00:00.000Z",
      updated_at: "2026-02-25T20:20:00.000Z",
    });
  });

  it("keeps known values when a later fetch lacks them", () => {
    t.store.upsertTweets([tweet({ view_count: 500, lang: "en" })]);
    expect(t.store.upsertTweets([tweet({ view_count: null, lang: null })]).unchanged).toBe(1);
    expect(t.store.db.prepare("SELECT view_count, lang FROM tweets").get()).toEqual({ view_count: 500, lang: "en" });
  });

  it("rolls back the whole batch when one row is invalid", () => {
    expect(() => t.store.upsertTweets([tweet(), tweet({ status_id: "2", author_handle: "not a handle" })])).toThrow(
      /not an X handle/,
    );
    expect(t.store.countSince("posts", undefined)).toBe(0);
  });
});

describe("other tables", () => {
  it("upserts embeddings, window summaries, shifts and reports idempotently", () => {
    const emb = { status_id: "1", model: "m", vector: [0.5, -0.25, 1] };
    const win = {
      window_id: "discovery:2026-02-25T18:00:00Z/PT6H",
      mode: "discovery",
      window_start: "2026-02-25T18:00:00Z",
      window_end: "2026-02-26T00:00:00Z",
      post_count: 2,
      summary_md: "s",
      top_status_ids: ["1", "2"],
    };
    const shift = {
      shift_id: "s1",
      topic: "tariffs",
      detected_at: "2026-02-25T20:00:00Z",
      window_id: win.window_id,
      magnitude: 0.4,
      description: "d",
      status_ids: ["1"],
    };
    const report = {
      report_id: "r1",
      run_id: null,
      kind: "priority-digest",
      title: "t",
      body_md: "b",
      status_ids: ["1"],
    };
    expect(t.store.upsertEmbeddings([emb]).inserted).toEqual(["1"]);
    expect(t.store.upsertWindowSummaries([win]).inserted).toEqual([win.window_id]);
    expect(t.store.insertNarrativeShifts([shift]).inserted).toEqual(["s1"]);
    expect(t.store.insertReport(report).inserted).toEqual(["r1"]);

    t.now = new Date("2026-02-25T21:00:00.000Z");
    expect(t.store.upsertEmbeddings([emb]).unchanged).toBe(1);
    expect(t.store.upsertWindowSummaries([win]).unchanged).toBe(1);
    expect(t.store.insertNarrativeShifts([shift]).unchanged).toBe(1);
    expect(t.store.insertReport(report).unchanged).toBe(1);
    expect(t.store.upsertWindowSummaries([{ ...win, post_count: 3 }]).updated).toEqual([win.window_id]);
    expect(t.store.upsertEmbeddings([{ ...emb, vector: [1, 0, 0] }]).updated).toEqual(["1"]);

    expect(t.store.db.prepare("SELECT created_at, updated_at FROM window_summaries").get()).toEqual({
      created_at: "2026-02-25T20:00:00.000Z",
      updated_at: "2026-02-25T21:00:00.000Z",
    });
    expect(() => t.store.insertNarrativeShifts([{ ...shift, magnitude: 1.5 }])).toThrow(/0..1/);
  });

  it("finds the newest status id numerically and stored embeddings by model", () => {
    t.store.upsertTweets([
      tweet({ status_id: "999" }),
      tweet({ status_id: "1000", author_handle: "other" }),
      tweet({ status_id: "998" }),
    ]);
    expect(t.store.newestStatusId()).toBe("1000");
    expect(t.store.newestStatusId({ authorHandle: "@MACRO_DESK" })).toBe("999");
    expect(t.store.newestStatusId({ mode: "discovery" })).toBeUndefined();
    t.store.upsertEmbeddings([{ status_id: "999", model: "a", vector: [1, 2] }]);
    expect([...t.store.getEmbeddings({ statusIds: ["999", "998"], model: "a" })]).toEqual([["999", [1, 2]]]);
    expect(t.store.getEmbeddings({ statusIds: ["999"], model: "b" }).size).toBe(0);
  });

  it("lists posts published in a half-open range", () => {
    t.store.upsertTweets([
      tweet({ status_id: "1", created_at: "2026-02-25T18:00:00Z" }),
      tweet({ status_id: "2", created_at: "2026-02-25T23:59:59.999Z", mode: "discovery" }),
      tweet({ status_id: "3", created_at: "2026-02-26T00:00:00Z" }),
    ]);
    const ids = (mode?: string) =>
      t.store
        .listTweetsPublishedBetween({ from: "2026-02-25T18:00:00Z", to: "2026-02-26T00:00:00Z", mode })
        .map((t) => t.status_id);
    expect(ids()).toEqual(["1", "2"]);
    expect(ids("discovery")).toEqual(["2"]);
  });
});
