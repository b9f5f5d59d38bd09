// `npm run keys -- create --name collector-mac --role ingest --collector collector-mac | list | revoke <prefix>`
import { Command, Option } from "commander";
import { env } from "../src/env";
import { closeDb, createDb } from "../src/server/db";
import { resolveDatabase } from "./lib/resolve-database";
import { createApiKey, listApiKeys, revokeApiKey } from "../src/server/auth/api-keys";
import { AppError } from "../src/server/errors";
import { apiKeyCreateSchema } from "../src/shared/schemas/queries";
import { summariseZodError } from "../src/shared/zod-errors";
import { loadDotEnv } from "./lib/dotenv";
import { describeError } from "./lib/describe-error";

loadDotEnv();

async function withDb<T>(fn: (db: ReturnType<typeof createDb>) => Promise<T>): Promise<T> {
  const config = env();
  const database = await resolveDatabase({
    databaseUrl: config.DATABASE_URL,
    dataDir: config.XMONITOR_DATA_DIR,
    embeddedPort: config.XMONITOR_EMBEDDED_PG_PORT,
    log: () => undefined,
  });
  const db = createDb(database.url, { max: 2 });
  try {
    return await fn(db);
  } finally {
    await closeDb(db);
    await database.stop();
  }
}

const program = new Command("keys").description("Manage API keys (stored hashed; a key is shown once, at creation)");

program
  .command("create")
  .option("--name <name>", "who or what uses the key, e.g. collector-mac (default: the --collector name)")
  .addOption(
    new Option("--role <role>", "admin | ingest | reader").choices(["admin", "ingest", "reader"]).makeOptionMandatory(),
  )
  .option("--collector <name>", "ingest keys: the one collector (XMONITOR_COLLECTOR_NAME) this key may act for")
  .option("--json", "print JSON")
  .action(async (options: { name?: string; role: string; collector?: string; json?: boolean }) => {
    const name = options.name ?? options.collector;
    if (!name) throw new Error("--name <name> is required (or --collector <name>, which also names the key)");
    const parsed = apiKeyCreateSchema.safeParse({ ...options, name });
    if (!parsed.success) throw new Error(summariseZodError(parsed.error));
    const key = await withDb((db) => createApiKey(db, parsed.data));
    if (options.json) {
      console.log(
        JSON.stringify({
          key: key.key,
          prefix: key.keyPrefix,
          name: key.name,
          role: key.role,
          collector: key.collector,
        }),
      );
      return;
    }
    const scope = key.collector ? ` bound to collector ${key.collector}` : "";
    console.log(`created ${key.role} key ${key.keyPrefix} for ${key.name}${scope}`);
    if (key.role === "ingest" && !key.collector)
      console.log("note: this ingest key may act for any collector; --collector <name> limits it to one");
    console.log(`key (shown once, store it now): ${key.key}`);
  });

program
  .command("list")
  .option("--json", "print JSON")
  .action(async (options: { json?: boolean }) => {
    const keys = await withDb(listApiKeys);
    if (options.json) {
      console.log(JSON.stringify(keys));
      return;
    }
    if (keys.length === 0) console.log("no API keys yet: npm run keys -- create --name <name> --role <role>");
    for (const k of keys) {
      const state = k.revokedAt ? `revoked ${k.revokedAt.toISOString()}` : "active";
      const scope = k.role !== "ingest" ? "" : k.collector ? `collector ${k.collector}` : "any collector";
      console.log(
        `${k.keyPrefix}  ${k.role.padEnd(6)}  ${k.name.padEnd(24)}  ${scope.padEnd(24)}  ${state.padEnd(32)}  last used ${k.lastUsedAt?.toISOString() ?? "never"}`,
      );
    }
  });

program.command("revoke <prefix>").action(async (prefix: string) => {
  const key = await withDb((db) => revokeApiKey(db, prefix));
  console.log(`revoked ${key.keyPrefix} (${key.name}, ${key.role})`);
});

program.parseAsync(process.argv).catch((error: unknown) => {
  console.error(`[keys] ${error instanceof AppError ? error.message : describeError(error)}`);
  process.exit(1);
});
