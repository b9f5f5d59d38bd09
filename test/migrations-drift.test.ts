// prisma/migrations must reproduce prisma/schema.prisma exactly. Compares a
// database migrated from prisma/migrations with one built straight from the
// schema by Prisma's differ.
import { copyFileSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { prismaCli } from "../scripts/lib/migrate";
import { projectRoot } from "../scripts/lib/project-root";
import { createTestDatabase, type TestDatabase } from "./support/database";
import { schemaFingerprint } from "./support/schema-fingerprint";

async function databaseFromSchema(schemaFile: string, target: TestDatabase): Promise<string[]> {
  const sql = await prismaCli(
    ["migrate", "diff", "--from-empty", "--to-schema-datamodel", schemaFile, "--script"],
    target.url,
  );
  const client = new pg.Client({ connectionString: target.url });
  await client.connect();
  try {
    // The target was cloned from the migrated template: start from empty.
    await client.query("drop schema public cascade; create schema public;");
    await client.query(sql);
  } finally {
    await client.end();
  }
  return schemaFingerprint(target.url);
}

describe("prisma/migrations", () => {
  let migrated: TestDatabase;
  let scratch: TestDatabase;
  beforeAll(async () => {
    migrated = await createTestDatabase();
    scratch = await createTestDatabase();
  });
  afterAll(async () => {
    await migrated?.drop();
    await scratch?.drop();
  });

  it("reproduces schema.prisma with no drift", async () => {
    const fromMigrations = await schemaFingerprint(migrated.url);
    const fromSchema = await databaseFromSchema(path.join(projectRoot, "prisma", "schema.prisma"), scratch);
    expect(fromMigrations.length).toBeGreaterThan(50);
    expect(fromSchema).toEqual(fromMigrations);
  });

  it("detects a schema.prisma edit that has no migration", async () => {
    const dir = mkdtempSync(path.join(tmpdir(), "xm-drift-"));
    const edited = path.join(dir, "schema.prisma");
    copyFileSync(path.join(projectRoot, "prisma", "schema.prisma"), edited);
    const text = readFileSync(edited, "utf8").replace(
      "  lang            String?\n",
      "  lang            String?\n  sentiment       Float?\n",
    );
    expect(text).toContain("sentiment");
    writeFileSync(edited, text.replace('output     = "../src/generated/prisma"', `output     = "${dir}/client"`));
    const fromMigrations = await schemaFingerprint(migrated.url);
    const fromEdited = await databaseFromSchema(edited, scratch);
    const added = fromEdited.filter((line) => !fromMigrations.includes(line));
    expect(added).toEqual([expect.stringContaining("column posts.sentiment double precision")]);
  });

  it("records every migration in _prisma_migrations as applied", async () => {
    const client = new pg.Client({ connectionString: migrated.url });
    await client.connect();
    try {
      const applied = await client.query(
        "select migration_name from _prisma_migrations where finished_at is not null and rolled_back_at is null order by 1",
      );
      const onDisk = (await import("node:fs"))
        .readdirSync(path.join(projectRoot, "prisma", "migrations"))
        .filter((d) => /^\d{14}_/.test(d))
        .sort();
      expect(applied.rows.map((r: { migration_name: string }) => r.migration_name)).toEqual(onDisk);
    } finally {
      await client.end();
    }
  });
});
