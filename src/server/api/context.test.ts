// The request context accepts a bearer key or the console's session cookie,
// and refuses cookie-authenticated changes that do not prove they come from
// the console (CSRF).
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDatabase, type TestDatabase } from "../../../test/support/database";
import { principalFor } from "../../../test/support/fixtures";
import { installDb } from "../db";
import { createConsoleSession } from "../auth/sessions";
import { createRequestContext, isSameOriginRequest } from "./context";
import { createCaller } from "./root";

let t: TestDatabase;
let adminKey = "";
let readerKey = "";
let adminToken = "";
let readerToken = "";

beforeAll(async () => {
  t = await createTestDatabase();
  installDb(t.db);
  adminKey = (await principalFor(t.db, "admin")).key;
  readerKey = (await principalFor(t.db, "reader")).key;
  adminToken = (await createConsoleSession(t.db, { apiKey: adminKey })).token;
  readerToken = (await createConsoleSession(t.db, { apiKey: readerKey })).token;
});
afterAll(async () => t?.drop());

async function callerWith(headers: Record<string, string>) {
  return createCaller(await createRequestContext(new Headers({ host: "ops.example:3000", ...headers })));
}

describe("request context", () => {
  it("resolves the session cookie to the key's principal", async () => {
    const ctx = await createRequestContext(new Headers({ cookie: `other=1; xm_session=${readerToken}` }));
    expect(ctx.principal).toMatchObject({ role: "reader", kind: "api-key" });
    expect(ctx.credential).toBe("session");
  });

  it("prefers the bearer header over the cookie", async () => {
    const ctx = await createRequestContext(
      new Headers({ authorization: `Bearer ${adminKey}`, cookie: `xm_session=${readerToken}` }),
    );
    expect(ctx.principal?.role).toBe("admin");
    expect(ctx.credential).toBe("bearer");
  });

  it("answers 401 with a reason for an unknown session", async () => {
    const caller = await callerWith({ cookie: "xm_session=AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA" });
    await expect(caller.overview.summary()).rejects.toMatchObject({
      code: "UNAUTHORIZED",
      message: expect.stringContaining("sign in again"),
    });
  });

  it("lets a cookie read without any header", async () => {
    const caller = await callerWith({ cookie: `xm_session=${readerToken}` });
    await expect(caller.runs.list({ limit: 5 })).resolves.toMatchObject({ items: [] });
  });

  it("refuses a cookie-authenticated change without the CSRF header or a same-origin Origin", async () => {
    const forged = await callerWith({ cookie: `xm_session=${adminToken}`, origin: "https://evil.example" });
    await expect(forged.keys.create({ name: "forged", role: "admin" })).rejects.toMatchObject({
      code: "FORBIDDEN",
      message: expect.stringContaining("Cross-site request refused"),
    });
    const bare = await callerWith({ cookie: `xm_session=${adminToken}` });
    await expect(bare.keys.create({ name: "forged", role: "admin" })).rejects.toMatchObject({ code: "FORBIDDEN" });
    expect(await t.db.apiKey.count({ where: { name: "forged" } })).toBe(0);
  });

  it("allows the change with the console's header or from the same origin, and bearer keys need neither", async () => {
    const withHeader = await callerWith({ cookie: `xm_session=${adminToken}`, "x-xmonitor-csrf": "1" });
    await expect(withHeader.keys.create({ name: "via-header", role: "reader" })).resolves.toMatchObject({
      name: "via-header",
    });
    const sameOrigin = await callerWith({ cookie: `xm_session=${adminToken}`, origin: "http://ops.example:3000" });
    await expect(sameOrigin.keys.create({ name: "via-origin", role: "reader" })).resolves.toMatchObject({
      name: "via-origin",
    });
    const bearer = await callerWith({ authorization: `Bearer ${adminKey}` });
    await expect(bearer.keys.create({ name: "via-bearer", role: "reader" })).resolves.toMatchObject({
      name: "via-bearer",
    });
  });

  it("still applies roles to cookie sessions", async () => {
    const reader = await callerWith({ cookie: `xm_session=${readerToken}`, "x-xmonitor-csrf": "1" });
    await expect(reader.keys.create({ name: "nope", role: "admin" })).rejects.toMatchObject({ code: "FORBIDDEN" });
  });

  it("judges the origin by host, honouring a proxy's forwarded host", () => {
    expect(
      isSameOriginRequest(
        new Headers({ origin: "https://ops.example", "x-forwarded-host": "ops.example", host: "10.0.0.5:3000" }),
      ),
    ).toBe(true);
    expect(isSameOriginRequest(new Headers({ origin: "null", host: "ops.example" }))).toBe(false);
    expect(isSameOriginRequest(new Headers({ host: "ops.example" }))).toBe(false);
  });
});
