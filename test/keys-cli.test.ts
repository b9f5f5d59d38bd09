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
    expect(listed.stdout).toMatch(new RegExp(`${prefix}\\s+ingest\\s+collector-mac\\s+active`));
    expect(listed.stdout).not.toContain(key);

    expect(keys("revoke", prefix).stdout).toContain(`revoked ${prefix}`);
    expect(await authenticateApiKey(t.db, `Bearer ${key}`)).toEqual({
      principal: null,
      error: expect.stringContaining("was revoked"),
    });
    expect(keys("list").stdout).toMatch(new RegExp(`${prefix}.*revoked`));
  });

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
