// `npm run db:migration:create -- <name>`: writes the next migration as the
// SQL difference between the schema the last migration was made from and
// prisma/schema.prisma, using Prisma's own differ (migrate diff). `migrate
// dev` cannot run offline (docs/decisions/001-offline-prisma.md).
//
// The schema each migration was made from is kept beside it
// (schema.prisma.snapshot), so the next diff starts from exactly there.
import { copyFileSync, existsSync, mkdirSync, readdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import { resolveDatabase } from "./lib/resolve-database";
import { prismaCli } from "./lib/migrate";
import { projectRoot } from "./lib/project-root";
import { env } from "../src/env";
import { loadDotEnv } from "./lib/dotenv";
import { describeError } from "./lib/describe-error";

loadDotEnv();

async function main() {
  const name = process.argv[2];
  if (!name || !/^[a-z0-9_]+$/.test(name)) {
    throw new Error("Usage: npm run db:migration:create -- <name_in_snake_case>");
  }
  const migrationsDir = path.join(projectRoot, "prisma", "migrations");
  const previous = readdirSync(migrationsDir)
    .filter((d) => /^\d{14}_/.test(d))
    .sort()
    .at(-1);
  const fromSnapshot = previous ? path.join(migrationsDir, previous, "schema.prisma.snapshot") : null;
  if (fromSnapshot && !existsSync(fromSnapshot))
    throw new Error(`${previous} has no schema.prisma.snapshot to diff from`);
  const config = env();
  const database = await resolveDatabase({
    databaseUrl: config.DATABASE_URL,
    dataDir: config.XMONITOR_DATA_DIR,
    embeddedPort: config.XMONITOR_EMBEDDED_PG_PORT,
    log: () => undefined,
  });
  try {
    const schema = path.join(projectRoot, "prisma", "schema.prisma");
    const from = fromSnapshot ? ["--from-schema-datamodel", fromSnapshot] : ["--from-empty"];
    const sql = await prismaCli(
      ["migrate", "diff", ...from, "--to-schema-datamodel", schema, "--script"],
      database.url,
    );
    if (/This is an empty migration/.test(sql) || sql.trim() === "") {
      console.log("schema.prisma has no changes since the last migration: nothing written");
      return;
    }
    const stamp = new Date().toISOString().replace(/\D/g, "").slice(0, 14);
    const dir = path.join(migrationsDir, `${stamp}_${name}`);
    mkdirSync(dir);
    writeFileSync(path.join(dir, "migration.sql"), sql);
    copyFileSync(schema, path.join(dir, "schema.prisma.snapshot"));
    console.log(`wrote prisma/migrations/${stamp}_${name}/migration.sql: review it, then npm run db:migrate`);
  } finally {
    await database.stop();
  }
}

main().catch((error: unknown) => {
  console.error(`[migration:create] ${describeError(error)}`);
  process.exit(1);
});
