// Turns a PostgreSQL URL into discrete connection fields. The pg driver
// adapter's shadow-database helper spreads its config, and a
// `connectionString` there would override the database name, so everything
// that builds an adapter goes through these fields.

export type PgConnectionFields = {
  host: string;
  port: number;
  user: string;
  password?: string;
  database: string;
};

export function pgConnectionFields(url: string): PgConnectionFields {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new Error("DATABASE_URL is not a valid URL: expected postgresql://user:password@host:5432/database");
  }
  if (parsed.protocol !== "postgres:" && parsed.protocol !== "postgresql:") {
    throw new Error(`DATABASE_URL must start with postgresql:// (got ${parsed.protocol}//)`);
  }
  const database = decodeURIComponent(parsed.pathname.replace(/^\//, ""));
  if (!database) {
    throw new Error(
      "DATABASE_URL names no database: add it after the host, e.g. postgresql://postgres@127.0.0.1:5432/xmonitor",
    );
  }
  return {
    host: parsed.hostname || "127.0.0.1",
    port: parsed.port ? Number(parsed.port) : 5432,
    user: decodeURIComponent(parsed.username || "postgres"),
    ...(parsed.password ? { password: decodeURIComponent(parsed.password) } : {}),
    database,
  };
}

/** Where a URL points, for logs: never includes the password. */
export function describeDatabase(url: string): string {
  const f = pgConnectionFields(url);
  return `postgresql://${f.user}@${f.host}:${f.port}/${f.database}`;
}

export function pgUrl(fields: PgConnectionFields): string {
  const auth = fields.password
    ? `${encodeURIComponent(fields.user)}:${encodeURIComponent(fields.password)}`
    : encodeURIComponent(fields.user);
  return `postgresql://${auth}@${fields.host}:${fields.port}/${encodeURIComponent(fields.database)}`;
}

/** The same server, another database (for tests and admin work). */
export function withDatabase(url: string, database: string): string {
  return pgUrl({ ...pgConnectionFields(url), database });
}
