// prisma/roles.sql gives the app role what the API's ingest role has, and
// PostgreSQL itself refuses the rest.
import { readFileSync } from "node:fs";
import path from "node:path";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { projectRoot } from "../scripts/lib/project-root";
import { createTestDatabase, type TestDatabase } from "./support/database";

let t: TestDatabase;
let client: pg.Client;

beforeAll(async () => {
  t = await createTestDatabase();
  client = new pg.Client({ connectionString: t.url });
  await client.connect();
  const sql = readFileSync(path.join(projectRoot, "prisma", "roles.sql"), "utf8");
  // Roles are cluster-wide: concurrent test runs may create them at once.
  await client.query("select pg_advisory_lock(872362)");
  try {
    await client.query(sql);
    await client.query(sql); // idempotent
  } finally {
    await client.query("select pg_advisory_unlock(872362)");
  }
});
afterAll(async () => {
  await client?.end();
  await t?.drop();
});

async function asRole<T>(role: string, sql: string): Promise<T> {
  await client.query("begin");
  try {
    await client.query(`set local role ${role}`);
    const result = await client.query(sql);
    return result.rows as T;
  } finally {
    await client.query("rollback");
  }
}

const now = "now()";

describe("prisma/roles.sql", () => {
  it("lets xmonitor_app write posts, and which collector pushed them", async () => {
    await expect(
      asRole(
        "xmonitor_app",
        `insert into posts (status_id, author_handle, body, created_at, collected_at, mode, source_updated_at) values ('1', 'a', 'b', ${now}, ${now}, 'priority', ${now}) returning status_id`,
      ),
    ).resolves.toEqual([{ status_id: "1" }]);
    await expect(
      asRole(
        "xmonitor_app",
        `insert into collector_pushes (collector, table_name, key, since_at, source_updated_at) values ('box', 'posts', '1', ${now}, ${now}) returning key`,
      ),
    ).resolves.toEqual([{ key: "1" }]);
  });

  it("refuses xmonitor_app writes to watch_accounts and embeddings", async () => {
    await expect(
      asRole(
        "xmonitor_app",
        `insert into watch_accounts (handle, tier, added_at, source_updated_at) values ('x', 'priority', ${now}, ${now})`,
      ),
    ).rejects.toThrow("permission denied for table watch_accounts");
    await expect(
      asRole(
        "xmonitor_app",
        `insert into embeddings (status_id, model, dims, vector, created_at, source_updated_at) values ('1', 'm', 1, '{0.5}', ${now}, ${now})`,
      ),
    ).rejects.toThrow("permission denied for table embeddings");
    await expect(asRole("xmonitor_app", "select count(*)::int as n from watch_accounts")).resolves.toEqual([{ n: 0 }]);
  });

  it("lets xmonitor_admin write watch_accounts", async () => {
    await expect(
      asRole(
        "xmonitor_admin",
        `insert into watch_accounts (collector, handle, tier, added_at, source_updated_at) values ('box', 'x', 'priority', ${now}, ${now}) returning handle`,
      ),
    ).resolves.toEqual([{ handle: "x" }]);
  });
});
