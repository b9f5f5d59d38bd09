// Content reconcile against the real app: a server that lost one post and
// gained another in the same window passes the counts, and `reconcile
// --deep` names both keys; `--repair` restores the lost one and the second
// check passes except for the extra key, which it names (never deleting
// it). A row changed on the server is "different"; a newer version there
// is not. The result is stored on the server with the counts.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseCollectorEnv } from "../../src/collector/config";
import { createCollectorContext, type CollectorContext } from "../../src/collector/context";
import { accountsAdd } from "../../src/collector/commands/accounts";
import { reconcileCommand } from "../../src/collector/commands/reconcile";
import { deepReconcile } from "../../src/collector/commands/reconcile-deep";
import { runCommand } from "../../src/collector/commands/run";
import { createMemoryLog } from "../../src/collector/log";
import { writeReplayFile } from "../../src/collector/sources/replay-generator";
import { deepResultSchema } from "../../src/shared/schemas/deep-reconcile";
import { startAppServer, type AppServer } from "../support/app-server";
import { collectorFiles } from "../support/collector-env";
import { createTestDatabase, type TestDatabase } from "../support/database";
import { principalFor } from "../support/fixtures";

let t: TestDatabase;
let app: AppServer;
let dir: string;
let ingestKey: string;
const clock = new Date("2026-11-21T00:00:00Z");
const COLLECTOR = "deep-box";

beforeAll(async () => {
  t = await createTestDatabase();
  ingestKey = (await principalFor(t.db, "ingest", { collector: COLLECTOR })).key;
  app = await startAppServer({ databaseUrl: t.url });
  dir = mkdtempSync(path.join(tmpdir(), "xm-deep-"));
  await writeReplayFile({
    file: path.join(dir, "replay.jsonl"),
    seed: 13,
    count: 300,
    start: "2026-11-20T00:00:00Z",
    end: "2026-11-21T00:00:00Z",
  });
}, 180_000);

afterAll(async () => {
  await app?.stop();
  await t?.drop();
  rmSync(dir, { recursive: true, force: true });
});

function context(): { ctx: CollectorContext; log: ReturnType<typeof createMemoryLog> } {
  const log = createMemoryLog();
  const config = parseCollectorEnv({
    ...collectorFiles(dir),
    XMONITOR_API_BASE_URL: app.baseUrl,
    XMONITOR_API_KEY: ingestKey,
    XMONITOR_COLLECTOR_NAME: COLLECTOR,
  });
  return { ctx: createCollectorContext(config, { log, now: () => clock }), log };
}

const posts = (sql: string, ...params: unknown[]) => t.db.$executeRawUnsafe(sql, ...params);

describe("reconcile --deep against the real server", () => {
  let lost: string;
  let gained: string;
  let changed: string;
  let newer: string;

  it("passes on a faithful server, then names the lost and the gained post the counts miss", async () => {
    const { ctx, log } = context();
    for (const handle of ["macro_desk", "policywonk", "ai_lab_notes", "chipwatch"])
      accountsAdd(ctx, { handle, tier: "priority" });
    expect((await runCommand(ctx, { mode: "priority" })).exitCode, log.lines.join("\n")).toBe(0);
    const clean = await reconcileCommand(ctx, { deep: true });
    expect(clean.exitCode, log.lines.join("\n")).toBe(0);
    expect(clean.deep?.tables.posts?.local).toBeGreaterThan(20);
    expect(clean.deep?.tables.posts?.server).toBe(clean.deep?.tables.posts?.local);

    const ids = ctx.store.db.prepare("select status_id from tweets order by status_id").pluck().all() as string[];
    [lost, changed, newer] = [ids[3]!, ids[7]!, ids[11]!];
    gained = `${BigInt(ids.at(-1)!) + 1000n}`;
    await posts(`delete from posts where status_id = $1`, lost);
    // Another post in the same window, as if pushed by this collector.
    await posts(
      `insert into posts select $2, author_handle, author_id, body, lang, url, created_at, collected_at, mode, run_id, like_count,
         repost_count, reply_count, quote_count, view_count, is_reply, is_repost, conversation_id, score, raw_json,
         source_updated_at, ingested_at, updated_at from posts where status_id = $1`,
      ids[0],
      gained,
    );
    // Recorded as this collector's push, as ingest would (docs/decisions/012).
    await posts(
      `insert into collector_pushes (collector, table_name, key, since_at, source_updated_at)
       select $2, 'posts', status_id, collected_at, source_updated_at from posts where status_id = $1`,
      gained,
      COLLECTOR,
    );
    log.lines.length = 0;
    const outcome = await reconcileCommand(ctx, { deep: true });
    const text = log.lines.join("\n");
    expect(outcome.rows.find((r) => r.table === "posts")?.delta, text).toBe(0);
    expect(outcome.exitCode, text).toBe(1);
    const found = outcome.deep!.tables.posts!;
    expect(found.missing).toEqual({ total: 1, keys: [lost] });
    expect(found.extra).toEqual({ total: 1, keys: [gained] });
    expect(found.different.total).toBe(0);
    expect(text).toContain(`missing on the server (1): ${lost}`);
    expect(text).toContain(`extra on the server (never deleted) (1): ${gained}`);
    expect(text).toMatch(/reconcile --deep FAIL: tweets/);
    ctx.store.close();
  });

  it("tells a changed row from a newer version another collector pushed, at every depth of the bisection", async () => {
    const { ctx } = context();
    await posts(`update posts set like_count = coalesce(like_count, 0) + 1 where status_id = $1`, changed);
    await posts(
      `update posts set body = 'edited later', source_updated_at = source_updated_at + interval '1 hour' where status_id = $1`,
      newer,
    );
    const since = new Date(clock.getTime() - 86_400_000).toISOString();
    for (const tuning of [{}, { topSegments: 3, subSegments: 2, leafRows: 2, leafBatchRows: 3 }]) {
      const { result } = await deepReconcile(ctx, { since, tables: ["posts"], tuning, print: false });
      const found = result.tables.posts!;
      expect(found.missing.keys).toEqual([lost]);
      expect(found.extra.keys).toEqual([gained]);
      expect(found.different).toEqual({ total: 1, keys: [changed] });
      expect(found.newerOnServer).toEqual({ total: 1, keys: [newer] });
      expect(found.segments).toBeGreaterThan(0);
    }
    ctx.store.close();
  });

  it("--repair pushes exactly the missing and different rows; the second check names only the extra key", async () => {
    const { ctx, log } = context();
    const before = await t.db.post.findUniqueOrThrow({ where: { statusId: newer } });
    const outcome = await reconcileCommand(ctx, { deep: true, repair: true });
    const text = log.lines.join("\n");
    expect(outcome.exitCode, text).toBe(1);
    expect(text).toContain("reconcile --repair: pushed 2 rows");
    // Counted again after the repair: the restored post is counted, the extra one too.
    expect(text).toContain("reconcile counts after the repair: tweets -1");
    expect(outcome.rows.find((r) => r.table === "posts")?.delta).toBe(-1);
    const second = outcome.deep!;
    expect(second.repaired).toBe(true);
    expect(second.tables.posts!.missing.total).toBe(0);
    expect(second.tables.posts!.different.total).toBe(0);
    expect(second.tables.posts!.extra).toEqual({ total: 1, keys: [gained] });
    expect(
      Object.entries(second.tables).filter(([, r]) => r.missing.total + r.extra.total + r.different.total > 0),
    ).toEqual([["posts", second.tables.posts]]);
    expect(text).toMatch(/reconcile --deep after the repair[\s\S]*extra on the server \(never deleted\) \(1\): /);
    expect(await t.db.post.count({ where: { statusId: lost } })).toBe(1);
    expect(await t.db.post.count({ where: { statusId: gained } })).toBe(1);
    // The newer version on the server is left alone.
    expect((await t.db.post.findUniqueOrThrow({ where: { statusId: newer } })).body).toBe(before.body);

    const stored = await t.db.reconcileResult.findFirstOrThrow({
      where: { collector: COLLECTOR },
      orderBy: { createdAt: "desc" },
    });
    expect(stored.passed).toBe(false);
    expect(deepResultSchema.parse(stored.deep).tables.posts?.extra.keys).toEqual([gained]);
    ctx.store.close();
  });
});
