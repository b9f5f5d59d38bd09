// The collector's own configuration, read from the environment once at start.
// It never sees DATABASE_URL: the collector reaches the server only through
// the ingest API. A bad value stops the process with one line naming the variable.
import { existsSync, readFileSync, statSync } from "node:fs";
import { homedir, hostname } from "node:os";
import path from "node:path";
import { z } from "zod";
import { DEFAULT_SCHEDULE, DEFAULT_TIMEZONE, validateCronLine } from "./scheduler/scheduler";
import { isKnownTimezone } from "./scheduler/timezone";

const positiveInt = (fallback: number) => z.coerce.number().int().positive().default(fallback);
const httpUrl = z.url({ protocol: /^https?$/, error: "must be an http(s) URL" });

function isLoopbackHost(hostname: string): boolean {
  const host = hostname.replace(/^\[|\]$/g, "").toLowerCase();
  return host === "localhost" || host.endsWith(".localhost") || host === "::1" || /^127(\.\d{1,3}){3}$/.test(host);
}

/** Whether a key sent to `value` stays off the network in clear text: https, or plain http to this machine. */
function keepsKeysPrivate(value: string): boolean {
  const url = new URL(value);
  return url.protocol === "https:" || isLoopbackHost(url.hostname);
}

/** The server's URL: the API key travels with every call, so plain http only to this machine. */
const apiBaseUrl = httpUrl.refine(
  keepsKeysPrivate,
  "http:// is allowed only for localhost: use https:// for a remote server (the API key would cross the network in clear text)",
);

const cronLine = (job: string, fallback: string) =>
  z
    .string()
    .default(fallback)
    .superRefine((value, ctx) => {
      try {
        validateCronLine(job, value);
      } catch (error) {
        ctx.addIssue({ code: "custom", message: (error as Error).message });
      }
    });

export const collectorEnvSchema = z
  .object({
    XMONITOR_API_BASE_URL: apiBaseUrl.default("http://localhost:3000"),
    /** An ingest-role key; needed to push, not to collect locally. */
    XMONITOR_API_KEY: z.string().min(1).optional(),
    /** A file holding the key (readable by its owner only): keeps it out of ps, shell history and .env. */
    XMONITOR_API_KEY_FILE: z.string().min(1).optional(),
    XMONITOR_COLLECTOR_NAME: z
      .string()
      .min(1)
      .max(100)
      .default(() => hostname()),
    /** The collector's home: its database and state files (decisions/016). Default: a per-user folder. */
    XMONITOR_HOME: z.string().min(1).optional(),
    XMONITOR_DB_PATH: z.string().min(1).optional(),
    XMONITOR_INGEST_LOOKBACK_SECONDS: positiveInt(900),
    XMONITOR_INGEST_MAX_ATTEMPTS: positiveInt(4),
    XMONITOR_INGEST_INITIAL_BACKOFF_SECONDS: z.coerce.number().nonnegative().default(1),
    XMONITOR_INGEST_ALERT_THRESHOLD: positiveInt(2),
    /** Batches in flight at once while pushing. */
    XMONITOR_INGEST_CONCURRENCY: z.coerce.number().int().min(1).max(8).default(2),
    XMONITOR_INGEST_BATCH_SIZE: z.coerce.number().int().min(1).max(20_000).default(500),
    XMONITOR_HEALTH_FILE: z.string().min(1).optional(),
    XMONITOR_ALERT_WEBHOOK_URL: httpUrl.optional(),
    X_BEARER_TOKEN: z.string().min(1).optional(),
    XMONITOR_SOURCE: z.enum(["x-api", "replay"]).default("replay"),
    XMONITOR_REPLAY_FILE: z.string().min(1).optional(),
    XMONITOR_DISCOVERY_QUERIES_FILE: z.string().min(1).optional(),
    XMONITOR_FREEZE_FILE: z.string().min(1).optional(),
    XMONITOR_RUN_LOCK_DIR: z.string().min(1).optional(),
    XMONITOR_TIMEZONE: z
      .string()
      .default(DEFAULT_TIMEZONE)
      .refine(isKnownTimezone, "must be an IANA timezone such as America/New_York"),
    XMONITOR_CRON_PRIORITY: cronLine("priority", DEFAULT_SCHEDULE.priority),
    XMONITOR_CRON_DISCOVERY: cronLine("discovery", DEFAULT_SCHEDULE.discovery),
    XMONITOR_CRON_RECONCILE: cronLine("reconcile", DEFAULT_SCHEDULE.reconcile),
    XMONITOR_CRON_REFRESH_24H: cronLine("refresh-24h", DEFAULT_SCHEDULE["refresh-24h"]),
    /** Unset: the local hashed n-gram embedder. Set: an OpenAI-compatible endpoint. */
    XMONITOR_EMBEDDINGS_BASE_URL: httpUrl.optional(),
    XMONITOR_EMBEDDINGS_API_KEY: z.string().min(1).optional(),
    XMONITOR_EMBEDDINGS_MODEL: z.string().min(1).default("text-embedding-3-small"),
    XMONITOR_EMBEDDING_DIMS: z.coerce.number().int().min(1).max(8192).default(256),
  })
  .superRefine((env, ctx) => {
    if (env.XMONITOR_SOURCE === "x-api" && !env.X_BEARER_TOKEN) {
      ctx.addIssue({ code: "custom", path: ["X_BEARER_TOKEN"], message: "is required when XMONITOR_SOURCE=x-api" });
    }
    // A keyless embedder on the local network may speak http; a key goes only where it stays private.
    if (
      env.XMONITOR_EMBEDDINGS_API_KEY &&
      env.XMONITOR_EMBEDDINGS_BASE_URL &&
      !keepsKeysPrivate(env.XMONITOR_EMBEDDINGS_BASE_URL)
    ) {
      ctx.addIssue({
        code: "custom",
        path: ["XMONITOR_EMBEDDINGS_BASE_URL"],
        message:
          "http:// with XMONITOR_EMBEDDINGS_API_KEY is allowed only for localhost: use https:// for a remote endpoint (the key would cross the network in clear text)",
      });
    }
    if (env.XMONITOR_API_KEY && env.XMONITOR_API_KEY_FILE) {
      ctx.addIssue({
        code: "custom",
        path: ["XMONITOR_API_KEY_FILE"],
        message: "is set together with XMONITOR_API_KEY: keep only the file",
      });
    }
  });

/**
 * The key from a file only its owner can read, as ssh treats private keys:
 * a key readable by other users of the machine is refused, not just warned about.
 */
export function readApiKeyFile(file: string): string {
  let stat;
  try {
    stat = statSync(file);
  } catch (error) {
    throw new Error(`cannot read ${file} (${(error as NodeJS.ErrnoException).code ?? "error"})`);
  }
  if (!stat.isFile()) throw new Error(`${file} is not a regular file`);
  const mode = stat.mode & 0o777;
  if (mode & 0o077) {
    throw new Error(
      `${file} is open to group or others (mode ${mode.toString(8).padStart(4, "0")}): run chmod 600 ${file}`,
    );
  }
  const key = readFileSync(file, "utf8").trim();
  if (!key) throw new Error(`${file} is empty: put the key on its first line`);
  if (/\s/.test(key)) throw new Error(`${file} must hold the key alone, on one line`);
  return key;
}

/** Each state path's file in the collector's home: the layout data/ had. */
export const HOME_FILES = {
  XMONITOR_DB_PATH: "x_monitor.db",
  XMONITOR_HEALTH_FILE: "ingest_health.json",
  XMONITOR_FREEZE_FILE: "collector.freeze",
  XMONITOR_RUN_LOCK_DIR: "collector.running",
  XMONITOR_REPLAY_FILE: "replay.jsonl",
} as const;
type StatePath = keyof typeof HOME_FILES;

/** The old default home: data/ in the folder the collector was started in. */
export const LEGACY_HOME = "data";

export type CollectorConfig = Omit<z.infer<typeof collectorEnvSchema>, StatePath | "XMONITOR_HOME"> &
  Record<StatePath | "XMONITOR_HOME", string>;

/** Where XMONITOR_HOME came from: set, the per-user default, or the old data/ folder where a database already was. */
export type HomeOrigin = "set" | "default" | "legacy";

/** The per-user default: $XDG_DATA_HOME/xmonitor, else ~/.local/share/xmonitor. */
export function defaultHome(env: Record<string, string | undefined>): string {
  const xdg = env.XDG_DATA_HOME?.trim();
  if (xdg && path.isAbsolute(xdg)) return path.join(xdg, "xmonitor");
  return path.join(env.HOME?.trim() || homedir(), ".local", "share", "xmonitor");
}

/**
 * The home and where it came from. With `cwd` (the command line), a database
 * at the old relative default (data/x_monitor.db there) is kept when nothing
 * names another home and the per-user home holds none.
 */
export function resolveHome(
  env: Record<string, string | undefined>,
  cwd?: string,
): { home: string; origin: HomeOrigin } {
  const set = env.XMONITOR_HOME?.trim();
  if (set) return { home: path.resolve(cwd ?? process.cwd(), set), origin: "set" };
  const home = defaultHome(env);
  if (cwd !== undefined && !env.XMONITOR_DB_PATH?.trim()) {
    const legacy = path.join(cwd, LEGACY_HOME);
    if (
      existsSync(path.join(legacy, HOME_FILES.XMONITOR_DB_PATH)) &&
      !existsSync(path.join(home, HOME_FILES.XMONITOR_DB_PATH))
    )
      return { home: legacy, origin: "legacy" };
  }
  return { home, origin: "default" };
}

/** The one line the command line prints when it keeps a database found at the old relative default. */
export function legacyHomeNotice(home: string): string {
  return `notice: using the database at ${path.join(home, HOME_FILES.XMONITOR_DB_PATH)} (the old default, data/ in the working folder); set XMONITOR_HOME=${home} to keep it there, or move that folder's files to ${defaultHome(process.env)}`;
}

const SECRET = /KEY|TOKEN/;

export class CollectorConfigError extends Error {
  override name = "CollectorConfigError";
}

function withKeyFromFile(config: CollectorConfig): CollectorConfig {
  if (!config.XMONITOR_API_KEY_FILE) return config;
  try {
    return { ...config, XMONITOR_API_KEY: readApiKeyFile(config.XMONITOR_API_KEY_FILE) };
  } catch (error) {
    throw new CollectorConfigError(`Invalid collector environment: XMONITOR_API_KEY_FILE: ${(error as Error).message}`);
  }
}

function withStatePaths(
  data: z.infer<typeof collectorEnvSchema>,
  source: Record<string, string | undefined>,
  cwd: string | undefined,
): CollectorConfig {
  const { home } = resolveHome(
    { ...source, XMONITOR_HOME: data.XMONITOR_HOME, XMONITOR_DB_PATH: data.XMONITOR_DB_PATH },
    cwd,
  );
  const paths = Object.fromEntries(
    (Object.keys(HOME_FILES) as StatePath[]).map((name) => [name, data[name] ?? path.join(home, HOME_FILES[name])]),
  ) as Record<StatePath, string>;
  return { ...data, ...paths, XMONITOR_HOME: home };
}

/**
 * The collector's configuration from `source`; state paths not set go in the
 * collector's home. `cwd` (the command line passes its working folder) turns
 * on the fallback to a database at the old relative default.
 */
export function parseCollectorEnv(
  source: Record<string, string | undefined> = process.env,
  options: { cwd?: string } = {},
): CollectorConfig {
  // Empty strings mean "unset": shells and .env files produce them often.
  const names = Object.keys(collectorEnvSchema.shape);
  const cleaned = Object.fromEntries(
    Object.entries(source).filter(([k, v]) => names.includes(k) && v !== undefined && v.trim() !== ""),
  );
  const result = collectorEnvSchema.safeParse(cleaned);
  if (result.success) return withKeyFromFile(withStatePaths(result.data, source, options.cwd));
  const problems = result.error.issues.map((issue) => {
    const name = issue.path.join(".");
    const got = cleaned[name];
    const shown = got === undefined || SECRET.test(name) ? "" : ` (got "${got}")`;
    return `${name}: ${issue.message}${shown}`;
  });
  throw new CollectorConfigError(`Invalid collector environment: ${problems.join("; ")}`);
}
