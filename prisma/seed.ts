// `npm run db:seed`: fills the database in use with demo data (DATABASE_URL,
// or the embedded server when unset). Refuses a database that has data
// unless --force is given, so it never mixes demo rows into real ones.
import { env, EnvError } from "../src/env";
import { closeDb, createDb } from "../src/server/db";
import { resolveDatabase } from "../scripts/lib/resolve-database";
import { migrateDatabase } from "../scripts/lib/migrate";
import { seedDemoData, seedIfEmpty } from "../src/server/seed/seed";
import { loadDotEnv } from "../scripts/lib/dotenv";
import { describeError } from "../scripts/lib/describe-error";

loadDotEnv();

const say = (line: string) => console.log(`[seed] ${line}`);

async function main() {
  const config = env();
  const force = process.argv.includes("--force");
  const database = await resolveDatabase({
    databaseUrl: config.DATABASE_URL,
    dataDir: config.XMONITOR_DATA_DIR,
    embeddedPort: config.XMONITOR_EMBEDDED_PG_PORT,
    log: say,
  });
  const db = createDb(database.url, { max: 4 });
  try {
    await migrateDatabase(database.url);
    if (force) await seedDemoData(db, { log: say });
    else if (!(await seedIfEmpty(db, { log: say })))
      say("the database already has posts or runs: not seeding (use --force to add demo data anyway)");
  } finally {
    await closeDb(db);
    await database.stop();
  }
}

main().catch((error: unknown) => {
  console.error(`[seed] ${error instanceof EnvError ? error.message : `failed: ${describeError(error)}`}`);
  process.exit(1);
});
