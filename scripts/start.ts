// `npm start`: one command from a fresh clone to a running console.
// Resolves the database (DATABASE_URL or the embedded server), applies
// migrations, seeds an empty database, builds the app when the build is
// missing or older than the sources, then serves it on PORT.
import { spawn } from "node:child_process";
import path from "node:path";
import { env, EnvError } from "../src/env";
import { resolveDatabase, DatabaseUnavailableError } from "./lib/resolve-database";
import { migrateDatabase } from "./lib/migrate";
import { projectRoot } from "./lib/project-root";
import { APP_ENV, APP_NODE_FLAGS } from "./lib/app-node-flags";
import { closeDb, createDb } from "../src/server/db";
import { seedIfEmpty, seedsOnStart } from "../src/server/seed/seed";
import { buildIsCurrent } from "./lib/build-state";
import { loadDotEnv } from "./lib/dotenv";
import { describeError } from "./lib/describe-error";

loadDotEnv();

const say = (line: string) => console.log(`[start] ${line}`);

function run(command: string, args: string[], extraEnv: Record<string, string>): Promise<number> {
  return new Promise((resolve) => {
    const child = spawn(command, args, { cwd: projectRoot, stdio: "inherit", env: { ...process.env, ...extraEnv } });
    const forward = (signal: NodeJS.Signals) => child.kill(signal);
    process.on("SIGINT", forward);
    process.on("SIGTERM", forward);
    child.on("exit", (code, signal) => {
      process.off("SIGINT", forward);
      process.off("SIGTERM", forward);
      resolve(code ?? (signal ? 128 : 1));
    });
  });
}

async function main(): Promise<number> {
  const config = env();
  const database = await resolveDatabase({
    databaseUrl: config.DATABASE_URL,
    dataDir: config.XMONITOR_DATA_DIR,
    embeddedPort: config.XMONITOR_EMBEDDED_PG_PORT,
    log: say,
  });
  try {
    say("applying migrations");
    await migrateDatabase(database.url);
    const seed = seedsOnStart(config.XMONITOR_SEED_ON_EMPTY, database.source);
    if (!seed && config.XMONITOR_SEED_ON_EMPTY === undefined) {
      say("DATABASE_URL is set: no demo data (set XMONITOR_SEED_ON_EMPTY=true to seed an empty database)");
    }
    if (seed) {
      const db = createDb(database.url, { max: 4 });
      try {
        const seeded = await seedIfEmpty(db, { log: say });
        if (!seeded) say("database already has data: not seeding");
      } finally {
        await closeDb(db);
      }
    }
    const nextBin = path.join(projectRoot, "node_modules", "next", "dist", "bin", "next");
    if (!buildIsCurrent(projectRoot)) {
      say("building the app (first start or sources changed; about a minute)");
      const code = await run(process.execPath, [nextBin, "build"], {
        DATABASE_URL: database.url,
        NODE_ENV: "production",
      });
      if (code !== 0) return code;
    }
    say(`console on http://localhost:${config.PORT}`);
    return await run(process.execPath, [...APP_NODE_FLAGS, nextBin, "start", "-p", String(config.PORT)], {
      ...APP_ENV,
      DATABASE_URL: database.url,
      NODE_ENV: "production",
    });
  } finally {
    await database.stop();
  }
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    if (error instanceof EnvError || error instanceof DatabaseUnavailableError) {
      console.error(`[start] ${error.message}`);
    } else {
      console.error(`[start] failed: ${describeError(error)}`);
    }
    process.exit(1);
  },
);
