// `npm run db:migrate`: applies prisma/migrations to the database in use
// (DATABASE_URL, or the embedded server when unset).
import { env, EnvError } from "../src/env";
import { resolveDatabase } from "./lib/resolve-database";
import { migrateDatabase } from "./lib/migrate";
import { loadDotEnv } from "./lib/dotenv";
import { describeError } from "./lib/describe-error";

loadDotEnv();

const say = (line: string) => console.log(`[migrate] ${line}`);

async function main() {
  const config = env();
  const database = await resolveDatabase({
    databaseUrl: config.DATABASE_URL,
    dataDir: config.XMONITOR_DATA_DIR,
    embeddedPort: config.XMONITOR_EMBEDDED_PG_PORT,
    log: say,
  });
  try {
    await migrateDatabase(database.url);
    say("all migrations applied");
  } finally {
    await database.stop();
  }
}

main().catch((error: unknown) => {
  console.error(`[migrate] ${error instanceof EnvError ? error.message : describeError(error)}`);
  process.exit(1);
});
