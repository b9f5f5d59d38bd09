// Decides which PostgreSQL the app uses: DATABASE_URL when set, else the
// embedded server. Checks the connection up front so an unreachable or
// misconfigured database is one clear line, not a stack trace later.
import pg from "pg";
import { describeDatabase } from "../../src/server/db-connection";
import { startEmbeddedPostgres } from "./embedded-postgres";

export type ResolvedDatabase = {
  url: string;
  source: "DATABASE_URL" | "embedded";
  stop: () => Promise<void>;
};

export class DatabaseUnavailableError extends Error {
  override name = "DatabaseUnavailableError";
}

export async function checkConnection(url: string, label: string): Promise<void> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 5000 });
  try {
    await client.connect();
    await client.query("select 1");
  } catch (error) {
    const reason = (error as { code?: string; message: string }).code ?? (error as Error).message;
    throw new DatabaseUnavailableError(
      `Cannot connect to PostgreSQL at ${describeDatabase(url)} (${reason}): check ${label}, and that the server is running and the database exists.`,
    );
  } finally {
    await client.end().catch(() => undefined);
  }
}

export async function resolveDatabase(options: {
  databaseUrl: string | undefined;
  dataDir: string;
  embeddedPort: number;
  log: (line: string) => void;
}): Promise<ResolvedDatabase> {
  if (options.databaseUrl) {
    await checkConnection(options.databaseUrl, "DATABASE_URL");
    options.log(`database: ${describeDatabase(options.databaseUrl)} (from DATABASE_URL)`);
    return { url: options.databaseUrl, source: "DATABASE_URL", stop: async () => undefined };
  }
  const embedded = await startEmbeddedPostgres({
    dataDir: options.dataDir,
    port: options.embeddedPort,
    database: "xmonitor",
    log: options.log,
  });
  await checkConnection(embedded.url, "the embedded database");
  options.log(`database: ${describeDatabase(embedded.url)} (embedded, data in ${options.dataDir}/pg)`);
  return { url: embedded.url, source: "embedded", stop: embedded.stop };
}
