// `collector config` through the executable: what launchd or cron would see,
// started from another folder with its own environment and .env file.
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { projectRoot } from "../../../scripts/lib/project-root";
import { maskSecret } from "./config";

const dir = mkdtempSync(path.join(tmpdir(), "xm-config-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const key = "xmk_0123456789_thesecretpartthesecretpartthesecret";

function collector(args: string[], options: { cwd?: string; env?: Record<string, string> } = {}) {
  const result = spawnSync(path.join(projectRoot, "bin", "xmonitor-collector.js"), args, {
    cwd: options.cwd ?? dir,
    env: {
      PATH: process.env.PATH ?? "",
      HOME: dir,
      NODE_ENV: "production",
      XMONITOR_API_KEY: key,
      XMONITOR_TIMEZONE: "UTC",
      XMONITOR_EMBEDDINGS_API_KEY: "sk-embeddings-secret",
      ...options.env,
    },
    encoding: "utf8",
    timeout: 60_000,
  });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}
const config = (...args: string[]) => collector([...args, "config"]);
const lineOf = (stdout: string, name: string) => stdout.split("\n").find((l) => l.startsWith(`${name} `)) ?? "";

describe("collector config", () => {
  it("prints every effective setting with its source, paths resolved against the working folder, keys masked", () => {
    writeFileSync(path.join(dir, ".env"), "XMONITOR_INGEST_BATCH_SIZE=250\nXMONITOR_TIMEZONE=Europe/Paris\n");
    const out = config("--max-attempts", "3");
    expect(out.status).toBe(0);
    const line = (name: string) => out.stdout.split("\n").find((l) => l.startsWith(`${name} `)) ?? "";
    expect(out.stdout).toContain(`working folder: ${dir}`);
    expect(line("XMONITOR_INGEST_MAX_ATTEMPTS")).toMatch(/\s3\s+\[flag\]$/);
    expect(line("XMONITOR_INGEST_BATCH_SIZE")).toMatch(/\s250\s+\[\.env\]$/);
    // The environment wins over .env, as the collector reads them.
    expect(line("XMONITOR_TIMEZONE")).toMatch(/\sUTC\s+\[env\]$/);
    expect(line("XMONITOR_INGEST_LOOKBACK_SECONDS")).toMatch(/\s900\s+\[default\]$/);
    const home = path.join(dir, ".local", "share", "xmonitor");
    expect(line("XMONITOR_HOME")).toMatch(new RegExp(`\\s${home}\\s+\\[default\\]$`));
    expect(line("XMONITOR_DB_PATH")).toMatch(new RegExp(`\\s${path.join(home, "x_monitor.db")}\\s+\\[default\\]$`));
    expect(line("XMONITOR_API_KEY")).toMatch(/xmk_0123456789_…\s+\[env\]$/);
    expect(line("XMONITOR_EMBEDDINGS_API_KEY")).toMatch(/\(set, hidden\)\s+\[env\]$/);
    expect(line("XMONITOR_ALERT_WEBHOOK_URL")).toMatch(/\(unset\)\s+\[default\]$/);
    expect(out.stdout).not.toContain("thesecretpart");
    expect(out.stdout).not.toContain("sk-embeddings-secret");
  });

  it("answers one JSON object with --json", () => {
    const out = config("--json");
    const record = JSON.parse(out.stdout.trim()) as { settings: { name: string; value: string; source: string }[] };
    expect(record.settings.find((s) => s.name === "XMONITOR_TIMEZONE")).toMatchObject({ value: "UTC", source: "env" });
    expect(JSON.stringify(record)).not.toContain("thesecretpart");
  });

  it("state paths: the same home from any working folder; XMONITOR_HOME moves every file", () => {
    const a = mkdtempSync(path.join(dir, "cwd-a-"));
    const b = mkdtempSync(path.join(dir, "cwd-b-"));
    const home = path.join(dir, ".local", "share", "xmonitor");
    expect(collector(["replay", "generate", "--count", "20"], { cwd: a }).status).toBe(0);
    const run = collector(["run", "--mode", "priority", "--no-ingest"], { cwd: b });
    expect(run.status, run.stderr).toBe(0);
    expect(run.stdout).toMatch(/^run \S+ mode=priority ok fetched=\d+/m);
    expect(existsSync(path.join(home, "x_monitor.db"))).toBe(true);
    expect(existsSync(path.join(home, "replay.jsonl"))).toBe(true);
    expect([a, b].some((cwd) => existsSync(path.join(cwd, "data")))).toBe(false);
    // Started elsewhere (launchd's /), the status reads the same database.
    const status = collector(["status"], { cwd: "/" });
    expect(status.stdout).toContain("priority");

    const other = path.join(dir, "elsewhere");
    const moved = collector(["config"], { cwd: a, env: { XMONITOR_HOME: other } });
    expect(lineOf(moved.stdout, "XMONITOR_HOME")).toMatch(new RegExp(`\\s${other}\\s+\\[env\\]$`));
    for (const [name, file] of [
      ["XMONITOR_DB_PATH", "x_monitor.db"],
      ["XMONITOR_HEALTH_FILE", "ingest_health.json"],
      ["XMONITOR_FREEZE_FILE", "collector.freeze"],
      ["XMONITOR_RUN_LOCK_DIR", "collector.running"],
      ["XMONITOR_REPLAY_FILE", "replay.jsonl"],
    ])
      expect(lineOf(moved.stdout, name!)).toMatch(new RegExp(`\\s${path.join(other, file!)}\\s+\\[default\\]$`));
  });

  it("a database at the old relative default (data/ in the working folder) is used, with a one-line notice", () => {
    const old = mkdtempSync(path.join(dir, "old-clone-"));
    mkdirSync(path.join(old, "data"));
    const made = collector(["--db", "data/x_monitor.db", "accounts", "add", "macro_desk"], {
      cwd: old,
      env: { HOME: path.join(dir, "fresh-user") },
    });
    expect(made.status, made.stderr).toBe(0);
    const out = collector(["config"], { cwd: old, env: { HOME: path.join(dir, "fresh-user") } });
    expect(out.status).toBe(0);
    const notices = out.stderr.split("\n").filter((l) => l.startsWith("notice:"));
    expect(notices).toEqual([
      `notice: using the database at ${path.join(old, "data", "x_monitor.db")} (the old default, data/ in the working folder); set XMONITOR_HOME=${path.join(old, "data")} to keep it there, or move that folder's files to ${path.join(dir, "fresh-user", ".local", "share", "xmonitor")}`,
    ]);
    expect(lineOf(out.stdout, "XMONITOR_DB_PATH")).toMatch(/\[old default: data\/ in the working folder\]$/);
    expect(lineOf(out.stdout, "XMONITOR_FREEZE_FILE")).toContain(path.join(old, "data", "collector.freeze"));
  });

  it("masks what is not an xmk key entirely", () => {
    expect(maskSecret(key)).toBe("xmk_0123456789_…");
    expect(maskSecret("Bearer abc")).toBe("(set, hidden)");
  });
});
