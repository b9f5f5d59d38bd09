// Everything a command needs, built once from the configuration: the local
// store, the source, the embedder, the server API, the health file. Tests
// build the same object with their own parts.
import { existsSync, readFileSync } from "node:fs";
import type { CollectorConfig } from "./config";
import { createHashedEmbedder, type Embedder } from "./embedding";
import { createHttpEmbedder } from "./embedding-http";
import { IngestHealthStore } from "./health/health-file";
import { createServerClient, type ServerClient, type ServerRetryPolicy } from "./uplink/server-client";
import { createLog, type CollectorLog } from "./log";
import { createReplaySource } from "./sources/replay-source";
import { createXApiSource } from "./sources/x-api-source";
import type { PostSource } from "./sources/post-source";
import { openStore, type SqliteStore } from "./store/sqlite-store";

export type CollectorContext = {
  config: CollectorConfig;
  store: SqliteStore;
  source: PostSource;
  embedder: Embedder;
  /** The server, with the configured retry policy inside every call. */
  api: ServerClient;
  health: IngestHealthStore;
  log: CollectorLog;
  queries: string[];
  keywords: string[];
  now: () => Date;
  fetch?: typeof fetch;
};

export class MissingApiKeyError extends Error {
  override name = "MissingApiKeyError";
}

/** Discovery queries: one per line; blank lines and # comments ignored. */
export function readQueries(file: string | undefined): string[] {
  if (!file) return [];
  if (!existsSync(file)) throw new Error(`XMONITOR_DISCOVERY_QUERIES_FILE ${file} does not exist`);
  return readFileSync(file, "utf8")
    .split("\n")
    .map((l) => l.trim())
    .filter((l) => l && !l.startsWith("#"));
}

/** Keywords for scoring: the quoted phrases and plain words of the queries. */
export function keywordsFromQueries(queries: readonly string[]): string[] {
  const found = new Set<string>();
  for (const query of queries) {
    for (const [, phrase] of query.matchAll(/"([^"]+)"/g)) found.add(phrase!.toLowerCase());
    for (const word of query.replace(/"[^"]*"/g, " ").split(/[\s()]+/)) {
      if (/^[a-z][a-z0-9]{3,}$/i.test(word) && word.toUpperCase() !== word) found.add(word.toLowerCase());
    }
  }
  return [...found];
}

export function createCollectorContext(
  config: CollectorConfig,
  options: {
    json?: boolean;
    log?: CollectorLog;
    now?: () => Date;
    /** Over the configured policy (tests: no real waiting). */
    retry?: ServerRetryPolicy;
  } = {},
): CollectorContext {
  const now = options.now ?? (() => new Date());
  const log = options.log ?? createLog({ json: options.json ?? false });
  const queries = readQueries(config.XMONITOR_DISCOVERY_QUERIES_FILE);
  const source =
    config.XMONITOR_SOURCE === "x-api"
      ? createXApiSource({ bearerToken: config.X_BEARER_TOKEN!, log: (m: string) => log.warn(m) })
      : createReplaySource({ file: config.XMONITOR_REPLAY_FILE, clock: now });
  const embedder = config.XMONITOR_EMBEDDINGS_BASE_URL
    ? createHttpEmbedder({
        baseUrl: config.XMONITOR_EMBEDDINGS_BASE_URL,
        model: config.XMONITOR_EMBEDDINGS_MODEL,
        ...(config.XMONITOR_EMBEDDINGS_API_KEY ? { apiKey: config.XMONITOR_EMBEDDINGS_API_KEY } : {}),
      })
    : createHashedEmbedder({ dims: config.XMONITOR_EMBEDDING_DIMS });
  const apiKey = config.XMONITOR_API_KEY;
  const api: ServerClient = apiKey
    ? createServerClient({
        baseUrl: config.XMONITOR_API_BASE_URL,
        apiKey,
        retry: {
          maxAttempts: config.XMONITOR_INGEST_MAX_ATTEMPTS,
          initialBackoffSeconds: config.XMONITOR_INGEST_INITIAL_BACKOFF_SECONDS,
          onRetry: ({ call, attempt, delayMs, error }) =>
            log.warn(`api retry ${call} attempt=${attempt} in ${Math.round(delayMs)} ms: ${(error as Error).message}`, {
              event: "api_retry",
              call,
              attempt,
            }),
          ...options.retry,
        },
      })
    : new Proxy({} as ServerClient, {
        get() {
          throw new MissingApiKeyError(
            "XMONITOR_API_KEY is not set: create an ingest key bound to this collector on the server (npm run keys -- create --role ingest --collector <name>), save it in a file only you can read and set XMONITOR_API_KEY_FILE, or pass --api-key-file.",
          );
        },
      });
  return {
    config,
    store: openStore({ path: config.XMONITOR_DB_PATH, clock: now }),
    source,
    embedder,
    api,
    health: new IngestHealthStore({
      file: config.XMONITOR_HEALTH_FILE,
      threshold: config.XMONITOR_INGEST_ALERT_THRESHOLD,
      clock: now,
    }),
    log,
    queries,
    keywords: keywordsFromQueries(queries),
    now,
  };
}
