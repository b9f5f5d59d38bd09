// A fresh, migrated database for one test file: cloned from the template in
// milliseconds, dropped afterwards.
import { randomBytes } from "node:crypto";
import { inject } from "vitest";
import { closeDb, createDb, type Db } from "../../src/server/db";
import { withDatabase } from "../../src/server/db-connection";
import { withAdminClient } from "./test-server";

export type TestDatabase = { url: string; name: string; db: Db; drop: () => Promise<void> };

export async function createTestDatabase(): Promise<TestDatabase> {
  const adminUrl = inject("testAdminUrl");
  const template = inject("testTemplateDatabase");
  const name = `xm_t_${process.pid}_${randomBytes(4).toString("hex")}`;
  await withAdminClient(adminUrl, async (client) => {
    for (let attempt = 1; ; attempt++) {
      try {
        await client.query(`create database "${name}" template "${template}"`);
        return;
      } catch (error) {
        // Another worker cloning at the same instant holds the template briefly.
        if (attempt >= 10 || !/being accessed by other users/.test((error as Error).message)) throw error;
        await new Promise((r) => setTimeout(r, 200 * attempt));
      }
    }
  });
  const url = withDatabase(adminUrl, name);
  const db = createDb(url, { max: 5 });
  return {
    url,
    name,
    db,
    drop: async () => {
      await closeDb(db);
      await withAdminClient(adminUrl, (client) => client.query(`drop database if exists "${name}" with (force)`));
    },
  };
}
