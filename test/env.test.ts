import { spawnSync } from "node:child_process";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { parseEnv } from "../src/env";
import { seedsOnStart } from "../src/server/seed/seed";
import { projectRoot } from "../scripts/lib/project-root";

describe("parseEnv", () => {
  it("applies defaults", () => {
    const env = parseEnv({});
    expect(env.PORT).toBe(3000);
    expect(env.DATABASE_URL).toBeUndefined();
    // Unset: npm start seeds only the embedded database.
    expect(env.XMONITOR_SEED_ON_EMPTY).toBeUndefined();
    expect(parseEnv({ XMONITOR_SEED_ON_EMPTY: "1" }).XMONITOR_SEED_ON_EMPTY).toBe(true);
    expect(parseEnv({ XMONITOR_SEED_ON_EMPTY: "false" }).XMONITOR_SEED_ON_EMPTY).toBe(false);
  });

  it("seeds only the embedded database at start unless told otherwise", () => {
    expect(seedsOnStart(undefined, "embedded")).toBe(true);
    expect(seedsOnStart(undefined, "DATABASE_URL")).toBe(false);
    expect(seedsOnStart(true, "DATABASE_URL")).toBe(true);
    expect(seedsOnStart(false, "embedded")).toBe(false);
  });

  it("names the bad variable in one line and never echoes the database password", () => {
    expect(() => parseEnv({ DATABASE_URL: "mysql://root:hunter2@db/x" })).toThrowError(
      /^Invalid environment: DATABASE_URL: must start with postgresql:\/\//,
    );
    expect(() => parseEnv({ DATABASE_URL: "mysql://root:hunter2@db/x" })).not.toThrowError(/hunter2/);
    expect(() => parseEnv({ PORT: "eighty" })).toThrowError(/PORT: .*\(got "eighty"\)/);
    expect(() => parseEnv({ LOG_LEVEL: "loud" })).toThrowError(/LOG_LEVEL/);
  });
});

function runStart(env: Record<string, string>) {
  const tsx = path.join(projectRoot, "node_modules", ".bin", "tsx");
  return spawnSync(tsx, [path.join(projectRoot, "scripts", "start.ts")], {
    cwd: projectRoot,
    env: { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "/tmp", NODE_ENV: "test", ...env },
    encoding: "utf8",
    timeout: 60_000,
  });
}

describe("npm start with bad configuration", () => {
  it("fails fast with one clear line for a malformed DATABASE_URL", () => {
    const result = runStart({ DATABASE_URL: "not a url" });
    expect(result.status).toBe(1);
    const lines = result.stderr.trim().split("\n");
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^\[start\] Invalid environment: DATABASE_URL: is not a valid URL/);
  });

  it("fails fast with one clear line when the database cannot be reached", () => {
    const result = runStart({ DATABASE_URL: "postgresql://postgres:secret@127.0.0.1:9/xmonitor" });
    expect(result.status).toBe(1);
    const lines = result.stderr.trim().split("\n");
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(
      /^\[start\] Cannot connect to PostgreSQL at postgresql:\/\/postgres@127\.0\.0\.1:9\/xmonitor \(ECONNREFUSED\)/,
    );
    expect(result.stderr).not.toContain("secret");
  });

  it("fails fast for a bad numeric setting", () => {
    const result = runStart({ PORT: "99999" });
    expect(result.status).toBe(1);
    expect(result.stderr.trim()).toMatch(/^\[start\] Invalid environment: PORT: .*\(got "99999"\)/);
  });
});
