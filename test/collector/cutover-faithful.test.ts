// The cutover is faithful to the contract (decisions/014): a legacy file
// holding values the contract allows but X would never issue (non-numeric
// author and user ids, handles with dots and upper case, two accounts that
// differ only in case, a 5,000-character account note, NULL in every
// optional column) goes through the real cutover against the real app:
// snapshot, export, pass 1 with an ingest key, a dry run and pass 2 with an
// admin key (0 rejects), validate passes, and the anomalies are counted in
// the import's figures and shown on the post's spot-check page.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { anomalyRules } from "~/shared/anomaly-rules";
import { cutoverAll, cutoverImport, cutoverValidate } from "../../src/collector/commands/cutover";
import { createConsoleSession } from "../../src/server/auth/sessions";
import { startCutoverWorld, type CutoverWorld } from "../support/cutover-world";
import { addContractEdgeCases, type ContractEdgeCases, type LegacyCounts } from "../support/legacy-fixture";

const COUNTS: LegacyCounts = {
  tweets: 60,
  reports: 6,
  watchAccounts: 8,
  runs: 10,
  embeddings: 20,
  summaries: 3,
  shifts: 4,
};
/** Posts i % 10 === 3 of 60; accounts: the dotted one and the upper-case twin. */
const ODD_POSTS = 6;
const ODD_ACCOUNTS = 2;

let world: CutoverWorld;
let edge: ContractEdgeCases;

beforeAll(async () => {
  world = await startCutoverWorld({
    counts: COUNTS,
    prepareLegacy: (file) => {
      edge = addContractEdgeCases(file);
    },
  });
}, 600_000);

afterAll(async () => {
  await world?.stop();
});

/** The page's text as a reader sees it: React's text separators dropped, entities decoded. */
const unescapeHtml = (s: string) =>
  s
    .replace(/<!-- -->/g, "")
    .replace(/&#x27;/g, "'")
    .replace(/&quot;/g, '"')
    .replace(/&lt;/g, "<")
    .replace(/&gt;/g, ">")
    .replace(/&amp;/g, "&");

describe("a legacy file with contract-valid, X-invalid values", () => {
  it("pass 1 with an ingest key stores every post, anomalies and all; only the role's tables are refused", async () => {
    const { ctx, log } = world.context();
    const result = await cutoverAll(ctx, { label: "faithful-box", timeoutSeconds: 5 });
    // Validate then finds what the ingest key could not write, as in every two-pass cutover.
    expect(result.stoppedAt, log.lines.join("\n")).toBe("validate");
    expect(log.lines).toContain(`import posts: inserted=60 updated=0 unchanged=0 rejected=0 anomalies=${ODD_POSTS}`);
    expect(log.lines).toContain("import watch_accounts: inserted=0 updated=0 unchanged=0 rejected=9");
    expect(log.lines).toContain("import embeddings: inserted=0 updated=0 unchanged=0 rejected=20");
    ctx.store.close();
  });

  it("a dry run with the admin key counts the accounts' anomalies with the server's rules", async () => {
    const { ctx, log } = world.context({ XMONITOR_API_KEY: world.adminKey });
    const result = await cutoverImport(ctx, { dryRun: true });
    expect(result.exitCode, log.lines.join("\n")).toBe(0);
    expect(result.value!.tables.watchAccounts).toMatchObject({ inserted: 9, rejected: 0, anomalies: ODD_ACCOUNTS });
    expect(result.value!.tables.posts).toMatchObject({ unchanged: 60, rejected: 0, anomalies: ODD_POSTS });
    ctx.store.close();
  });

  it("pass 2 with an admin key: 0 rejects, anomalies counted per table in the figures", async () => {
    const { ctx, log } = world.context({ XMONITOR_API_KEY: world.adminKey });
    const result = await cutoverImport(ctx, {});
    const v = result.value!;
    expect(result.exitCode, log.lines.join("\n")).toBe(0);
    expect(v.pass).toBe(2);
    expect(v.rejected).toBe(0);
    expect(v.tables.watchAccounts).toMatchObject({ inserted: 9, updated: 0, rejected: 0, anomalies: ODD_ACCOUNTS });
    expect(v.tables.embeddings).toMatchObject({ inserted: 20, rejected: 0, anomalies: 0 });
    expect(v.tables.posts).toMatchObject({ unchanged: 60, rejected: 0, anomalies: ODD_POSTS });
    expect(log.lines).toContainEqual(
      expect.stringMatching(
        new RegExp(`^import ok pass 2: 0 rows rejected; ${ODD_POSTS + ODD_ACCOUNTS} rows stored with anomalies`),
      ),
    );
    const accounts = await world.t.db.watchAccount.findMany({
      where: { handle: { in: ["Old.Desk.0", "Legacy_Acct_2", "legacy_acct_2", "legacy_acct_4"] } },
      orderBy: { handle: "asc" },
    });
    expect(accounts.map((a) => [a.handle, a.userId, a.note?.length ?? null, a.anomalies.length])).toEqual([
      ["Legacy_Acct_2", "10002", "the upper-case twin".length, 1],
      ["Old.Desk.0", "legacy:user-0", 5000, 3],
      ["legacy_acct_2", "10002", null, 0],
      ["legacy_acct_4", null, null, 0],
    ]);
    const record = await world.t.db.cutoverRun.findFirstOrThrow({ orderBy: { startedAt: "desc" } });
    const steps = record.steps as { step: string; pass?: number; figures: Record<string, unknown> }[];
    expect(steps.find((s) => s.step === "import" && s.pass === 2)?.figures).toMatchObject({
      rejected: 0,
      anomalies: ODD_POSTS + ODD_ACCOUNTS,
      tables: { posts: { anomalies: ODD_POSTS }, watch_accounts: { anomalies: ODD_ACCOUNTS } },
    });
    ctx.store.close();
  });

  it("validate passes: every delta 0, the spot check finds every value as the file holds it", async () => {
    const { ctx, log } = world.context();
    const result = await cutoverValidate(ctx, {});
    expect(result.exitCode, log.lines.join("\n")).toBe(0);
    const v = result.value!;
    expect(v.counts.every((c) => c.delta === 0)).toBe(true);
    for (const table of v.spotCheck.tables) expect(table, table.table).toMatchObject({ missing: 0, mismatches: 0 });
    ctx.store.close();
  });

  it("the post's spot-check page and the post view API show the anomalies; a NULL-filled post shows none", async () => {
    const session = await createConsoleSession(world.t.db, { apiKey: world.adminKey });
    const page = async (statusId: string) => {
      const response = await fetch(`${world.app.baseUrl}/posts/${statusId}`, {
        headers: { cookie: `xm_session=${session.token}` },
      });
      expect(response.status).toBe(200);
      return unescapeHtml(await response.text());
    };
    const odd = edge.oddPosts[1]!;
    const html = await page(odd);
    expect(html).toContain("@Old.Desk.1");
    expect(html).toContain("3 anomalies");
    for (const note of [
      `author_handle: ${anomalyRules.xHandle.message}`,
      `author_handle: ${anomalyRules.lowercase.message}`,
      `author_id: ${anomalyRules.xUserId.message}`,
    ])
      expect(html).toContain(note);

    const plain = await page(edge.nullPost);
    expect(plain).toMatch(/data-testid="post-anomalies"[^>]*>none</);

    const view = await fetch(`${world.app.baseUrl}/api/v1/posts/${odd}`, {
      headers: { authorization: `Bearer ${world.adminKey}` },
    });
    expect(await view.json()).toMatchObject({
      author: { handle: "Old.Desk.1", id: "legacy:user-1" },
      url: null,
      anomalies: [
        `author_handle: ${anomalyRules.xHandle.message}`,
        `author_handle: ${anomalyRules.lowercase.message}`,
        `author_id: ${anomalyRules.xUserId.message}`,
      ],
    });
    const nulls = (await (
      await fetch(`${world.app.baseUrl}/api/v1/posts/${edge.nullPost}`, {
        headers: { authorization: `Bearer ${world.adminKey}` },
      })
    ).json()) as Record<string, unknown>;
    expect(nulls).toMatchObject({
      author: { id: null },
      lang: null,
      url: null,
      run_id: null,
      conversation_id: null,
      score: null,
      raw_json: null,
      metrics: { like_count: null, repost_count: null, reply_count: null, quote_count: null, view_count: null },
      anomalies: [],
    });
  });
});
