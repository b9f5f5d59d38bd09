import { hostname } from "node:os";
import { describe, expect, it } from "vitest";
import { CollectorConfigError, parseCollectorEnv } from "./config";

describe("parseCollectorEnv", () => {
  it("applies the defaults", () => {
    expect(parseCollectorEnv({})).toEqual({
      XMONITOR_API_BASE_URL: "http://localhost:3000",
      XMONITOR_COLLECTOR_NAME: hostname(),
      XMONITOR_DB_PATH: "data/x_monitor.db",
      XMONITOR_INGEST_LOOKBACK_SECONDS: 900,
      XMONITOR_INGEST_MAX_ATTEMPTS: 4,
      XMONITOR_INGEST_INITIAL_BACKOFF_SECONDS: 1,
      XMONITOR_INGEST_ALERT_THRESHOLD: 2,
      XMONITOR_INGEST_CONCURRENCY: 2,
      XMONITOR_INGEST_BATCH_SIZE: 500,
      XMONITOR_HEALTH_FILE: "data/ingest_health.json",
      XMONITOR_SOURCE: "replay",
      XMONITOR_REPLAY_FILE: "data/replay.jsonl",
      XMONITOR_FREEZE_FILE: "data/collector.freeze",
      XMONITOR_RUN_LOCK_DIR: "data/collector.running",
      XMONITOR_TIMEZONE: "America/New_York",
      XMONITOR_CRON_PRIORITY: "*/10 * * * *",
      XMONITOR_CRON_DISCOVERY: "0 * * * *",
      XMONITOR_CRON_RECONCILE: "10 5 * * *",
      XMONITOR_EMBEDDINGS_MODEL: "text-embedding-3-small",
      XMONITOR_EMBEDDING_DIMS: 256,
    });
  });

  it("reads and coerces values, treating empty strings as unset and ignoring unrelated variables", () => {
    const config = parseCollectorEnv({
      XMONITOR_API_BASE_URL: "https://xmonitor.example.org",
      XMONITOR_API_KEY: "xmk_0123456789_secret",
      XMONITOR_INGEST_BATCH_SIZE: "1000",
      XMONITOR_INGEST_INITIAL_BACKOFF_SECONDS: "0.5",
      XMONITOR_SOURCE: "x-api",
      X_BEARER_TOKEN: "AAAA",
      XMONITOR_ALERT_WEBHOOK_URL: "",
      DATABASE_URL: "postgresql://should-not-matter",
    });
    expect(config).toMatchObject({
      XMONITOR_API_BASE_URL: "https://xmonitor.example.org",
      XMONITOR_INGEST_BATCH_SIZE: 1000,
      XMONITOR_INGEST_INITIAL_BACKOFF_SECONDS: 0.5,
      XMONITOR_SOURCE: "x-api",
    });
    expect(config).not.toHaveProperty("XMONITOR_ALERT_WEBHOOK_URL");
    expect(config).not.toHaveProperty("DATABASE_URL");
  });

  it("throws one line naming each bad variable, never showing secrets", () => {
    const attempt = (env: Record<string, string>) => {
      try {
        parseCollectorEnv(env);
      } catch (error) {
        expect(error).toBeInstanceOf(CollectorConfigError);
        return (error as Error).message;
      }
      throw new Error("expected a failure");
    };
    const message = attempt({ XMONITOR_INGEST_MAX_ATTEMPTS: "zero", XMONITOR_SOURCE: "firehose" });
    expect(message.split("\n")).toHaveLength(1);
    expect(message).toMatch(/^Invalid collector environment: .*XMONITOR_INGEST_MAX_ATTEMPTS: .*\(got "zero"\)/);
    expect(message).toMatch(/XMONITOR_SOURCE: .*\(got "firehose"\)/);
    expect(attempt({ XMONITOR_SOURCE: "x-api" })).toBe(
      "Invalid collector environment: X_BEARER_TOKEN: is required when XMONITOR_SOURCE=x-api",
    );
    expect(attempt({ XMONITOR_API_BASE_URL: "localhost:3000" })).toMatch(
      /XMONITOR_API_BASE_URL: must be an http\(s\) URL/,
    );
    expect(attempt({ XMONITOR_CRON_PRIORITY: "*/61 * * * *" })).toMatch(
      /XMONITOR_CRON_PRIORITY: job priority: invalid cron line/,
    );
    expect(attempt({ XMONITOR_TIMEZONE: "Eastern" })).toMatch(/XMONITOR_TIMEZONE: must be an IANA timezone/);
    expect(attempt({ XMONITOR_INGEST_BATCH_SIZE: "50000" })).toMatch(/XMONITOR_INGEST_BATCH_SIZE/);
  });
});
