// The anomaly rules flag what X would never issue, and nothing the project's
// own data makes: the demo seed, the replay generator's accounts and posts,
// and the legacy fixture carry none.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { REPLAY_ACCOUNTS, writeReplayFile } from "../collector/sources/replay-generator";
import { createReplaySource } from "../collector/sources/replay-source";
import { buildPost, buildWatchAccount, demoHandles } from "../server/seed/builders";
import { anomaliesOf } from "./anomalies";
import { seededRandom } from "./random";
import { itemSchemas } from "./schemas/items";

describe("anomaliesOf", () => {
  it("names each column and rule, in column order, and never flags NULL", () => {
    const post = itemSchemas.posts.parse({
      status_id: "1",
      author_handle: "Old.Desk",
      author_id: null,
      body: "",
      created_at: "2026-02-25T19:39:12Z",
      collected_at: "2026-02-25T19:39:12Z",
      mode: "Legacy Mode",
      like_count: -1,
      score: null,
      updated_at: "2026-02-25T19:39:12Z",
    });
    expect(anomaliesOf("posts", post)).toEqual([
      "author_handle: not an X handle (1 to 15 letters, digits or _)",
      "author_handle: not lowercase (the collector writes handles in lowercase; the console's author filter searches lowercase)",
      "mode: not a run mode (1 to 32 lowercase letters, digits and dashes)",
      "like_count: negative (X never reports a negative count)",
    ]);
    const report = itemSchemas.reports.parse({
      report_id: "r",
      kind: "",
      title: "",
      body_md: "",
      status_ids: ["123", "t-9"],
      created_at: "2005-12-31T23:59:59Z",
      updated_at: "2026-02-25T19:39:12Z",
    });
    expect(anomaliesOf("reports", report)).toEqual([
      "status_ids: holds values that are not X status ids (decimal digits)",
      "created_at: before 2006 or from 2100 on (outside X's era)",
    ]);
  });

  it("flags nothing in the demo seed's accounts and posts", () => {
    const r = seededRandom(7);
    const at = Date.parse("2026-11-20T00:00:00Z");
    for (const [i, handle] of demoHandles.entries()) {
      const account = itemSchemas.watchAccounts.parse(buildWatchAccount(r, handle, "priority", at));
      expect(anomaliesOf("watchAccounts", account), handle).toEqual([]);
      const statusId = String(1_900_000_000_000_000_000n + BigInt(i));
      const post = buildPost(r, { statusId, handle, createdAt: at, collectedAt: at, mode: "priority", runId: null });
      expect(anomaliesOf("posts", itemSchemas.posts.parse(post)), handle).toEqual([]);
    }
  });

  it("flags nothing in the replay generator's posts", async () => {
    const dir = mkdtempSync(path.join(tmpdir(), "xm-anomalies-"));
    try {
      const file = path.join(dir, "replay.jsonl");
      await writeReplayFile({ file, seed: 3, count: 200, start: "2026-11-20T00:00:00Z", end: "2026-11-22T00:00:00Z" });
      const source = createReplaySource({ file });
      let checked = 0;
      for (const { username: handle } of REPLAY_ACCOUNTS) {
        for (const post of await source.fetchUserTimeline({ handle })) {
          const item = { ...post, collected_at: post.created_at, mode: "priority", updated_at: post.created_at };
          expect(anomaliesOf("posts", itemSchemas.posts.parse(item)), handle).toEqual([]);
          checked++;
        }
      }
      expect(checked).toBe(200);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
