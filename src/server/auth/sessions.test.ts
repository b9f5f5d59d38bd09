import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDatabase, type TestDatabase } from "../../../test/support/database";
import { principalFor } from "../../../test/support/fixtures";
import { revokeApiKey } from "./api-keys";
import {
  createConsoleSession,
  deleteConsoleSession,
  readCookie,
  resolveConsoleSession,
  SESSION_TTL_MS,
} from "./sessions";

let t: TestDatabase;
beforeAll(async () => {
  t = await createTestDatabase();
});
afterAll(async () => t?.drop());

describe("console sessions", () => {
  it("opens a session for a valid key and stores only the token's hash", async () => {
    const reader = await principalFor(t.db, "reader");
    const session = await createConsoleSession(t.db, { apiKey: reader.key });
    expect(session.token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(session.principal).toMatchObject({ role: "reader", keyPrefix: reader.keyPrefix });
    const rows = await t.db.consoleSession.findMany({ where: { apiKeyId: reader.apiKeyId! } });
    expect(rows).toHaveLength(1);
    expect(rows[0]!.tokenHash).not.toContain(session.token);
    expect(rows[0]!.expiresAt.getTime() - rows[0]!.createdAt.getTime()).toBe(SESSION_TTL_MS);
    expect(await resolveConsoleSession(t.db, { token: session.token })).toMatchObject({
      kind: "api-key",
      role: "reader",
      apiKeyId: reader.apiKeyId,
    });
  });

  it("refuses unknown, malformed and revoked keys with the reason", async () => {
    await expect(createConsoleSession(t.db, { apiKey: "nope" })).rejects.toMatchObject({
      code: "UNAUTHORIZED",
      message: expect.stringContaining("Invalid API key"),
    });
    for (const pasted of ["two words", "xmk_abc def", ""]) {
      await expect(createConsoleSession(t.db, { apiKey: pasted })).rejects.toMatchObject({
        code: "UNAUTHORIZED",
        message: expect.stringContaining("That is not an API key"),
      });
    }
    const revoked = await principalFor(t.db, "admin");
    await revokeApiKey(t.db, revoked.keyPrefix);
    await expect(createConsoleSession(t.db, { apiKey: revoked.key })).rejects.toMatchObject({
      code: "UNAUTHORIZED",
      message: expect.stringContaining("was revoked"),
    });
  });

  it("ends with expiry, sign-out and key revocation", async () => {
    const admin = await principalFor(t.db, "admin");
    const start = new Date("2026-11-28T08:00:00Z");
    const expiring = await createConsoleSession(t.db, { apiKey: admin.key, now: start });
    expect(
      await resolveConsoleSession(t.db, {
        token: expiring.token,
        now: new Date(start.getTime() + SESSION_TTL_MS - 1000),
      }),
    ).not.toBeNull();
    expect(
      await resolveConsoleSession(t.db, { token: expiring.token, now: new Date(start.getTime() + SESSION_TTL_MS) }),
    ).toBeNull();

    const signedOut = await createConsoleSession(t.db, { apiKey: admin.key });
    await deleteConsoleSession(t.db, { token: signedOut.token });
    expect(await resolveConsoleSession(t.db, { token: signedOut.token })).toBeNull();

    const live = await createConsoleSession(t.db, { apiKey: admin.key });
    expect(await resolveConsoleSession(t.db, { token: live.token })).not.toBeNull();
    await revokeApiKey(t.db, admin.keyPrefix);
    expect(await resolveConsoleSession(t.db, { token: live.token })).toBeNull();
  });

  it("slides last_seen_at with use, at most once a minute", async () => {
    const reader = await principalFor(t.db, "reader");
    const start = new Date("2026-11-28T08:00:00Z");
    const session = await createConsoleSession(t.db, { apiKey: reader.key, now: start });
    const seen = async () =>
      (await t.db.consoleSession.findFirstOrThrow({ where: { apiKeyId: reader.apiKeyId! } })).lastSeenAt.getTime();
    await resolveConsoleSession(t.db, { token: session.token, now: new Date(start.getTime() + 30_000) });
    expect(await seen()).toBe(start.getTime());
    await resolveConsoleSession(t.db, { token: session.token, now: new Date(start.getTime() + 5 * 60_000) });
    expect(await seen()).toBe(start.getTime() + 5 * 60_000);
  });

  it("ignores tokens that cannot be ours without touching the database", async () => {
    expect(await resolveConsoleSession(t.db, { token: "' or 1=1 --" })).toBeNull();
  });

  it("reads one cookie from a Cookie header", () => {
    expect(readCookie("a=1; xm_session=abc%2Ddef; b=2", "xm_session")).toBe("abc-def");
    expect(readCookie("xm_session_old=zzz", "xm_session")).toBeNull();
    expect(readCookie(null, "xm_session")).toBeNull();
    expect(readCookie("xm_session=%E0%A4%A", "xm_session")).toBeNull();
  });
});
