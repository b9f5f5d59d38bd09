// Which PostgreSQL the tests use: TEST_DATABASE_URL, else DATABASE_URL, else
// an embedded server of their own (data under data/test-pg). Every test file
// gets a fresh database cloned from a template migrated once per run from
// prisma/migrations.
import { createHash } from "node:crypto";
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import pg from "pg";
import { withDatabase } from "../../src/server/db-connection";
import { startEmbeddedPostgres } from "../../scripts/lib/embedded-postgres";
import { migrateDatabase } from "../../scripts/lib/migrate";
import { projectRoot } from "../../scripts/lib/project-root";

export type TestServer = { adminUrl: string; templateDatabase: string; stop: () => Promise<void> };

export function migrationsHash(): string {
  const dir = path.join(projectRoot, "prisma", "migrations");
  const hash = createHash("sha256");
  for (const name of readdirSync(dir).sort()) {
    if (name.endsWith(".toml")) continue;
    hash.update(name);
    hash.update(readFileSync(path.join(dir, name, "migration.sql")));
  }
  return hash.digest("hex").slice(0, 12);
}

export async function withAdminClient<T>(adminUrl: string, fn: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: adminUrl });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

export async function startTestServer(): Promise<TestServer> {
  const configured = process.env.TEST_DATABASE_URL || process.env.DATABASE_URL;
  let adminUrl: string;
  let stop = async () => undefined as void;
  if (configured) {
    adminUrl = withDatabase(configured, "postgres");
  } else {
    const embedded = await startEmbeddedPostgres({
      dataDir: path.join(projectRoot, "data", "test"),
      port: Number(process.env.XMONITOR_TEST_PG_PORT ?? 54339),
      database: "postgres",
    });
    adminUrl = embedded.url;
    stop = embedded.stop;
  }
  const templateDatabase = `xm_tpl_${migrationsHash()}`;
  await withAdminClient(adminUrl, async (client) => {
    // Serialise template creation across concurrent test runs on one server.
    await client.query("select pg_advisory_lock(872361)");
    try {
      const exists = await client.query("select 1 from pg_database where datname = $1", [templateDatabase]);
      if (exists.rowCount === 0) {
        const building = `${templateDatabase}_building`;
        await client.query(`drop database if exists "${building}"`);
        await client.query(`create database "${building}"`);
        await migrateDatabase(withDatabase(adminUrl, building));
        await client.query(`alter database "${building}" rename to "${templateDatabase}"`);
      }
    } finally {
      await client.query("select pg_advisory_unlock(872361)");
    }
  });
  return { adminUrl, templateDatabase, stop };
}
