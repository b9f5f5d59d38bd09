// `npm run keys -- ...` end to end against a real database.
import { spawnSync } from "node:child_process";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { authenticateApiKey } from "../src/server/auth/api-keys";
import { projectRoot } from "../scripts/lib/project-root";
import { createTestDatabase, type TestDatabase } from "./support/database";

let t: TestDatabase;
beforeAll(async () => {
  t = await createTestDatabase();
});
afterAll(async () => t?.drop());

function keys(...args: string[]) {
  const result = spawnSync(
    path.join(projectRoot, "node_modules", ".bin", "tsx"),
    [path.join(projectRoot, "scripts", "keys.ts"), ...args],
    {
      cwd: projectRoot,
      env: { ...process.env, DATABASE_URL: t.url },
      encoding: "utf8",
      timeout: 60_000,
    },
  );
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

describe("keys CLI", () => {
  it("creates a key shown once, stores only its hash, lists and revokes it", async () => {
    const created = keys("create", "--name", "collector-mac", "--role", "ingest", "--json");
    expect(created.stderr).toBe("");
    const { key, prefix } = JSON.parse(created.stdout) as { key: string; prefix: string };
    expect(key.startsWith(`${prefix}_`)).toBe(true);
    const row = await t.db.apiKey.findUniqueOrThrow({ where: { keyPrefix: prefix } });
    expect(JSON.stringify(row)).not.toContain(key.slice(prefix.length + 1));
    expect(await authenticateApiKey(t.db, `Bearer ${key}`)).toMatchObject({
      principal: { role: "ingest", keyPrefix: prefix },
    });

    const listed = keys("list");
    expect(listed.stdout).toMatch(new RegExp(`${prefix}\\s+ingest\\s+collector-mac\\s+any collector\\s+active`));
    expect(listed.stdout).not.toContain(key);

    expect(keys("revoke", prefix).stdout).toContain(`revoked ${prefix}`);
    expect(await authenticateApiKey(t.db, `Bearer ${key}`)).toEqual({
      principal: null,
      error: expect.stringContaining("was revoked"),
    });
    expect(keys("list").stdout).toMatch(new RegExp(`${prefix}.*revoked`));
  }, 120_000);

  it("binds an ingest key to one collector, and refuses to bind other roles", async () => {
    const created = keys("create", "--role", "ingest", "--collector", "my-laptop", "--json");
    expect(created.stderr).toBe("");
    const { key, prefix, name, collector } = JSON.parse(created.stdout) as Record<string, string>;
    expect({ name, collector }).toEqual({ name: "my-laptop", collector: "my-laptop" });
    expect(await authenticateApiKey(t.db, `Bearer ${key}`)).toMatchObject({
      principal: { role: "ingest", keyPrefix: prefix, collector: "my-laptop" },
    });
    expect(keys("list").stdout).toMatch(
      new RegExp(`${prefix}\\s+ingest\\s+my-laptop\\s+collector my-laptop\\s+active`),
    );
    const human = keys("create", "--name", "night-shift", "--role", "ingest");
    expect(human.stdout).toContain("may act for any collector; --collector <name> limits it to one");

    const before = await t.db.apiKey.count();
    const reader = keys("create", "--name", "ana", "--role", "reader", "--collector", "my-laptop");
    expect(reader.status).toBe(1);
    expect(reader.stderr.trim()).toBe(
      "[keys] Only ingest keys can be bound to a collector (this one has role reader): drop the collector, or use role ingest.",
    );
    const nameless = keys("create", "--role", "ingest");
    expect(nameless.status).toBe(1);
    expect(nameless.stderr).toContain("--name <name> is required");
    expect(await t.db.apiKey.count()).toBe(before);
  }, 120_000);

  it("says what is wrong for a bad role or an unknown prefix", () => {
    const badRole = keys("create", "--name", "x", "--role", "root");
    expect(badRole.status).not.toBe(0);
    expect(badRole.stderr).toContain("Allowed choices are admin, ingest, reader");
    const unknown = keys("revoke", "xmk_0000000000");
    expect(unknown.status).toBe(1);
    expect(unknown.stderr.trim()).toBe(
      "[keys] No API key with prefix xmk_0000000000: list keys to see their prefixes.",
    );
  });
});
