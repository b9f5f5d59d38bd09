import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { homedir, hostname, tmpdir } from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { CollectorConfigError, parseCollectorEnv } from "./config";

function failure(env: Record<string, string>): string {
  try {
    parseCollectorEnv(env);
  } catch (error) {
    expect(error).toBeInstanceOf(CollectorConfigError);
    return (error as Error).message;
  }
  throw new Error("expected a failure");
}

describe("parseCollectorEnv", () => {
  it("applies the defaults: state in the per-user home", () => {
    const home = path.join(homedir(), ".local", "share", "xmonitor");
    expect(parseCollectorEnv({})).toEqual({
      XMONITOR_HOME: home,
      XMONITOR_API_BASE_URL: "http://localhost:3000",
      XMONITOR_COLLECTOR_NAME: hostname(),
      XMONITOR_DB_PATH: path.join(home, "x_monitor.db"),
      XMONITOR_INGEST_LOOKBACK_SECONDS: 900,
      XMONITOR_INGEST_MAX_ATTEMPTS: 4,
      XMONITOR_INGEST_INITIAL_BACKOFF_SECONDS: 1,
      XMONITOR_INGEST_ALERT_THRESHOLD: 2,
      XMONITOR_INGEST_CONCURRENCY: 2,
      XMONITOR_INGEST_BATCH_SIZE: 500,
      XMONITOR_HEALTH_FILE: path.join(home, "ingest_health.json"),
      XMONITOR_SOURCE: "replay",
      XMONITOR_REPLAY_FILE: path.join(home, "replay.jsonl"),
      XMONITOR_FREEZE_FILE: path.join(home, "collector.freeze"),
      XMONITOR_RUN_LOCK_DIR: path.join(home, "collector.running"),
      XMONITOR_TIMEZONE: "America/New_York",
      XMONITOR_CRON_PRIORITY: "*/10 * * * *",
      XMONITOR_CRON_DISCOVERY: "0 * * * *",
      XMONITOR_CRON_RECONCILE: "10 5 * * *",
      XMONITOR_CRON_REFRESH_24H: "40 4 * * *",
      XMONITOR_EMBEDDINGS_MODEL: "text-embedding-3-small",
      XMONITOR_EMBEDDING_DIMS: 256,
    });
  });

  it("home: XMONITOR_HOME, else $XDG_DATA_HOME/xmonitor, else ~/.local/share/xmonitor; a path set alone stays", () => {
    expect(parseCollectorEnv({ XMONITOR_HOME: "/srv/xm" })).toMatchObject({
      XMONITOR_HOME: "/srv/xm",
      XMONITOR_DB_PATH: "/srv/xm/x_monitor.db",
      XMONITOR_RUN_LOCK_DIR: "/srv/xm/collector.running",
    });
    expect(parseCollectorEnv({ XDG_DATA_HOME: "/d", HOME: "/h" }).XMONITOR_DB_PATH).toBe("/d/xmonitor/x_monitor.db");
    expect(parseCollectorEnv({ XDG_DATA_HOME: "relative", HOME: "/h" }).XMONITOR_HOME).toBe("/h/.local/share/xmonitor");
    expect(parseCollectorEnv({ HOME: "/h", XMONITOR_DB_PATH: "/x/my.db" })).toMatchObject({
      XMONITOR_DB_PATH: "/x/my.db",
      XMONITOR_FREEZE_FILE: "/h/.local/share/xmonitor/collector.freeze",
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
    const message = failure({ XMONITOR_INGEST_MAX_ATTEMPTS: "zero", XMONITOR_SOURCE: "firehose" });
    expect(message.split("\n")).toHaveLength(1);
    expect(message).toMatch(/^Invalid collector environment: .*XMONITOR_INGEST_MAX_ATTEMPTS: .*\(got "zero"\)/);
    expect(message).toMatch(/XMONITOR_SOURCE: .*\(got "firehose"\)/);
    expect(failure({ XMONITOR_SOURCE: "x-api" })).toBe(
      "Invalid collector environment: X_BEARER_TOKEN: is required when XMONITOR_SOURCE=x-api",
    );
    expect(failure({ XMONITOR_API_BASE_URL: "localhost:3000" })).toMatch(
      /XMONITOR_API_BASE_URL: must be an http\(s\) URL/,
    );
    expect(failure({ XMONITOR_CRON_PRIORITY: "*/61 * * * *" })).toMatch(
      /XMONITOR_CRON_PRIORITY: job priority: invalid cron line/,
    );
    expect(failure({ XMONITOR_TIMEZONE: "Eastern" })).toMatch(/XMONITOR_TIMEZONE: must be an IANA timezone/);
    expect(failure({ XMONITOR_INGEST_BATCH_SIZE: "50000" })).toMatch(/XMONITOR_INGEST_BATCH_SIZE/);
  });
});

describe("the API base URL", () => {
  it("allows http:// only to this machine", () => {
    for (const url of [
      "http://localhost:3000",
      "http://127.0.0.1:9",
      "http://127.1.2.3",
      "http://[::1]:3000",
      "http://app.localhost",
    ]) {
      expect(parseCollectorEnv({ XMONITOR_API_BASE_URL: url }).XMONITOR_API_BASE_URL, url).toBe(url);
    }
    expect(parseCollectorEnv({ XMONITOR_API_BASE_URL: "https://xmonitor.example.org" }).XMONITOR_API_BASE_URL).toBe(
      "https://xmonitor.example.org",
    );
    for (const url of [
      "http://xmonitor.example.org",
      "http://10.0.0.12:3000",
      "http://localhost.example.org",
      "http://[::2]",
    ]) {
      expect(failure({ XMONITOR_API_BASE_URL: url }), url).toBe(
        `Invalid collector environment: XMONITOR_API_BASE_URL: http:// is allowed only for localhost: use https:// for a remote server (the API key would cross the network in clear text) (got "${url}")`,
      );
    }
  });
});

describe("the embeddings endpoint", () => {
  it("takes its key only over https or to this machine; a keyless endpoint may be plain http anywhere", () => {
    const key = "sk-embeddings-secret";
    for (const url of ["https://embed.example.org/v1", "http://localhost:8080/v1", "http://127.0.0.1:8080/v1"]) {
      expect(
        parseCollectorEnv({ XMONITOR_EMBEDDINGS_BASE_URL: url, XMONITOR_EMBEDDINGS_API_KEY: key })
          .XMONITOR_EMBEDDINGS_BASE_URL,
        url,
      ).toBe(url);
    }
    expect(parseCollectorEnv({ XMONITOR_EMBEDDINGS_BASE_URL: "http://10.0.0.7:8080/v1" })).toMatchObject({
      XMONITOR_EMBEDDINGS_BASE_URL: "http://10.0.0.7:8080/v1",
    });
    for (const url of ["http://embed.example.org/v1", "http://10.0.0.7:8080/v1"]) {
      const message = failure({ XMONITOR_EMBEDDINGS_BASE_URL: url, XMONITOR_EMBEDDINGS_API_KEY: key });
      expect(message, url).toBe(
        `Invalid collector environment: XMONITOR_EMBEDDINGS_BASE_URL: http:// with XMONITOR_EMBEDDINGS_API_KEY is allowed only for localhost: use https:// for a remote endpoint (the key would cross the network in clear text) (got "${url}")`,
      );
      expect(message).not.toContain(key);
    }
  });
});

describe("XMONITOR_API_KEY_FILE", () => {
  const dir = mkdtempSync(path.join(tmpdir(), "xm-keyfile-"));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const KEY = "xmk_0123456789_c2VjcmV0LXNlY3JldC1zZWNyZXQtc2VjcmV0";
  const keyFile = (name: string, content: string, mode: number) => {
    const file = path.join(dir, name);
    writeFileSync(file, content);
    chmodSync(file, mode);
    return file;
  };

  it("reads the key from a file only its owner can read", () => {
    for (const mode of [0o600, 0o400]) {
      const file = keyFile(`ok-${mode}`, `${KEY}\n`, mode);
      expect(parseCollectorEnv({ XMONITOR_API_KEY_FILE: file })).toMatchObject({
        XMONITOR_API_KEY: KEY,
        XMONITOR_API_KEY_FILE: file,
      });
    }
  });

  it("refuses a file open to group or others, and says how to fix it without showing the key", () => {
    for (const mode of [0o644, 0o640, 0o604, 0o660, 0o620]) {
      const file = keyFile(`open-${mode}`, KEY, mode);
      const message = failure({ XMONITOR_API_KEY_FILE: file });
      expect(message).toBe(
        `Invalid collector environment: XMONITOR_API_KEY_FILE: ${file} is open to group or others (mode 0${mode.toString(8)}): run chmod 600 ${file}`,
      );
      expect(message).not.toContain("c2VjcmV0");
    }
  });

  it("refuses a missing, empty, multi-word or non-regular file, and a key set twice", () => {
    expect(failure({ XMONITOR_API_KEY_FILE: path.join(dir, "missing") })).toMatch(/cannot read .*missing \(ENOENT\)$/);
    expect(failure({ XMONITOR_API_KEY_FILE: keyFile("empty", "\n", 0o600) })).toMatch(/is empty: put the key/);
    const twoWords = failure({ XMONITOR_API_KEY_FILE: keyFile("two", `${KEY} ${KEY}`, 0o600) });
    expect(twoWords).toMatch(/must hold the key alone, on one line$/);
    expect(twoWords).not.toContain("c2VjcmV0");
    const folder = path.join(dir, "folder");
    mkdirSync(folder, { mode: 0o700 });
    expect(failure({ XMONITOR_API_KEY_FILE: folder })).toMatch(/is not a regular file$/);
    const both = failure({ XMONITOR_API_KEY: KEY, XMONITOR_API_KEY_FILE: keyFile("both", KEY, 0o600) });
    expect(both).toMatch(/XMONITOR_API_KEY_FILE: is set together with XMONITOR_API_KEY: keep only the file$/);
    expect(both).not.toContain("c2VjcmV0");
  });
});
