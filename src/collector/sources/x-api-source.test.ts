import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { startFakeHttpServer, type FakeHttpServer } from "../../../test/support/fake-http-server";
import { HttpError } from "../uplink/http-error";
import { createXApiSource, TWEET_FIELDS, type XApiSourceOptions } from "./x-api-source";
import {
  macroDesk,
  protectedTimeline,
  searchPage,
  timelinePage1,
  timelinePage2,
  tooManyRequests,
  unauthorized,
  usersByWithMissing,
} from "../../../test/support/x-api-fixtures";

let server: FakeHttpServer;
let nowMs: number;
let sleeps: number[];
let logs: string[];

beforeAll(async () => {
  server = await startFakeHttpServer();
});
afterAll(() => server.close());
beforeEach(() => {
  server.requests.length = 0;
  nowMs = Date.parse("2026-02-25T20:00:00Z");
  sleeps = [];
  logs = [];
});

const source = (extra: Partial<XApiSourceOptions> = {}) =>
  createXApiSource({
    bearerToken: "test-bearer",
    baseUrl: server.baseUrl,
    now: () => nowMs,
    sleep: async (ms) => {
      sleeps.push(ms);
      nowMs += ms;
    },
    log: (line) => logs.push(line),
    ...extra,
  });

const resetIn = (seconds: number) => String(Math.floor(nowMs / 1000) + seconds);

describe("fetchUserTimeline", () => {
  it("follows pagination_token and normalises the posts", async () => {
    server.handle((req) => {
      expect(req.url.pathname).toBe("/2/users/1458213301/tweets");
      return {
        json: req.url.searchParams.get("pagination_token") ? timelinePage2 : timelinePage1,
        headers: { "x-rate-limit-remaining": "899", "x-rate-limit-reset": resetIn(900) },
      };
    });
    const posts = await source().fetchUserTimeline(
      { handle: "macro_desk", user_id: "1458213301" },
      "2026447046046646272",
    );

    expect(server.requests).toHaveLength(2);
    const first = server.requests[0]!;
    expect(first.headers.authorization).toBe("Bearer test-bearer");
    expect(Object.fromEntries(first.url.searchParams)).toEqual({
      max_results: "100",
      "tweet.fields": TWEET_FIELDS,
      expansions: "author_id",
      "user.fields": "username,name",
      since_id: "2026447046046646272",
    });
    expect(server.requests[1]!.url.searchParams.get("pagination_token")).toBe(
      "7140dibdnow9c7btw4b0oqi1nvjpj8xr0a9rfrfkfxsjl",
    );

    expect(posts.map((p) => [p.status_id, p.is_reply, p.is_repost])).toEqual([
      ["2026743803171545537", false, false],
      ["2026737040720310277", true, false],
      ["2026676058698334631", false, true],
    ]);
    expect(posts[0]).toMatchObject({
      author_handle: "macro_desk",
      author_id: "1458213301",
      url: "https://x.com/macro_desk/status/2026743803171545537",
      created_at: "2026-02-25T19:39:12.000Z",
      like_count: 388,
      repost_count: 41,
      reply_count: 17,
      quote_count: 6,
      view_count: 48213,
      conversation_id: "2026743803171545537",
    });
    expect(JSON.parse(posts[0]!.raw_json)).toEqual(timelinePage1.data![0]);
    expect(sleeps).toEqual([]);
  });

  it("looks the user id up first when the account has none", async () => {
    server.handle((req) =>
      req.url.pathname === "/2/users/by" ? { json: { data: [macroDesk] } } : { json: timelinePage2 },
    );
    const posts = await source().fetchUserTimeline({ handle: "@Macro_Desk" });
    expect(server.requests.map((r) => r.url.pathname)).toEqual(["/2/users/by", "/2/users/1458213301/tweets"]);
    expect(server.requests[0]!.url.searchParams.get("usernames")).toBe("macro_desk");
    expect(posts).toHaveLength(1);
  });

  it("fails clearly on a 200 that carries only errors", async () => {
    server.handle(() => ({ json: protectedTimeline }));
    await expect(source().fetchUserTimeline({ handle: "locked", user_id: "99" })).rejects.toThrow(
      /Authorization Error: Sorry, you are not authorized/,
    );
  });
});

describe("searchRecent", () => {
  it("follows next_token but stops at maxPages", async () => {
    server.handle((req) => {
      const token = req.url.searchParams.get("next_token");
      const index = token ? Number(token.slice(1)) : 1;
      return { json: searchPage(index, `t${index + 1}`) };
    });
    const posts = await source({ maxPages: 3 }).searchRecent('"compute threshold" lang:en -is:retweet');
    expect(server.requests).toHaveLength(3);
    expect(server.requests[0]!.url.searchParams.get("query")).toBe('"compute threshold" lang:en -is:retweet');
    expect(server.requests[0]!.url.searchParams.has("since_id")).toBe(false);
    expect(server.requests[2]!.url.searchParams.get("next_token")).toBe("t3");
    expect(posts.map((p) => p.author_handle)).toEqual(["policywonk", "policywonk", "policywonk"]);
  });
});

describe("rate limits", () => {
  it("waits until x-rate-limit-reset after a 429, then retries", async () => {
    let calls = 0;
    server.handle(() => {
      calls++;
      if (calls === 1)
        return {
          status: 429,
          json: tooManyRequests,
          headers: { "x-rate-limit-limit": "180", "x-rate-limit-remaining": "0", "x-rate-limit-reset": resetIn(30) },
        };
      return {
        json: searchPage(1, undefined),
        headers: { "x-rate-limit-remaining": "179", "x-rate-limit-reset": resetIn(900) },
      };
    });
    const posts = await source().searchRecent("ai");
    expect(posts).toHaveLength(1);
    expect(sleeps).toEqual([31_000]);
    expect(logs[0]).toMatch(/waiting 31 s/);
  });

  it("waits before the next request when the last answer left no requests", async () => {
    server.handle(() => ({
      json: searchPage(1, undefined),
      headers: { "x-rate-limit-remaining": "0", "x-rate-limit-reset": resetIn(120) },
    }));
    const x = source();
    await x.searchRecent("ai");
    expect(sleeps).toEqual([]);
    await x.searchRecent("ai");
    expect(sleeps).toEqual([121_000]);
  });

  it("gives up with a 429 error after maxRateLimitWaits", async () => {
    server.handle(() => ({
      status: 429,
      json: tooManyRequests,
      headers: { "x-rate-limit-remaining": "0", "x-rate-limit-reset": resetIn(10) },
    }));
    const error = await source({ maxRateLimitWaits: 1 })
      .searchRecent("ai")
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(HttpError);
    expect(error).toMatchObject({ status: 429, retryAfterSeconds: 10 });
    expect(server.requests).toHaveLength(2);
    expect(sleeps).toEqual([11_000]);
  });

  it("fails instead of sleeping when the reset is too far away", async () => {
    server.handle(() => ({
      status: 429,
      json: tooManyRequests,
      headers: { "x-rate-limit-remaining": "0", "x-rate-limit-reset": resetIn(3600) },
    }));
    await expect(source({ maxWaitSeconds: 900 }).searchRecent("ai")).rejects.toMatchObject({
      status: 429,
      retryAfterSeconds: 3601,
    });
    expect(sleeps).toEqual([]);
  });
});

describe("lookupUsers and errors", () => {
  it("returns the users found and leaves out the missing ones", async () => {
    server.handle(() => ({ json: usersByWithMissing }));
    expect(await source().lookupUsers(["@Macro_Desk", "ghost_acct", "macro_desk"])).toEqual([
      { user_id: "1458213301", handle: "macro_desk", name: "Macro Desk" },
    ]);
    expect(server.requests[0]!.url.searchParams.get("usernames")).toBe("macro_desk,ghost_acct");
  });

  it("reports X's problem document on a 401", async () => {
    server.handle(() => ({ status: 401, json: unauthorized }));
    await expect(source().searchRecent("ai")).rejects.toMatchObject({
      status: 401,
      message: "X answered 401 on tweets/search/recent: Unauthorized: Unauthorized",
    });
  });

  it("reports an unreachable server without a status", async () => {
    const dead = createXApiSource({ bearerToken: "t", baseUrl: "http://127.0.0.1:1" });
    await expect(dead.searchRecent("ai")).rejects.toMatchObject({ name: "HttpError", status: undefined });
  });
});
