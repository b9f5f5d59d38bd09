// `collector config` through the executable: what launchd or cron would see,
// started from another folder with its own environment and .env file.
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { projectRoot } from "../../../scripts/lib/project-root";
import { maskSecret } from "./config";

const dir = mkdtempSync(path.join(tmpdir(), "xm-config-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const key = "xmk_0123456789_thesecretpartthesecretpartthesecret";

function config(...args: string[]) {
  const result = spawnSync(path.join(projectRoot, "bin", "xmonitor-collector.js"), [...args, "config"], {
    cwd: dir,
    env: {
      PATH: process.env.PATH ?? "",
      HOME: dir,
      NODE_ENV: "production",
      XMONITOR_API_KEY: key,
      XMONITOR_TIMEZONE: "UTC",
      XMONITOR_EMBEDDINGS_API_KEY: "sk-embeddings-secret",
    },
    encoding: "utf8",
    timeout: 60_000,
  });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

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
    expect(line("XMONITOR_DB_PATH")).toContain(`data/x_monitor.db = ${path.join(dir, "data", "x_monitor.db")}`);
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

  it("masks what is not an xmk key entirely", () => {
    expect(maskSecret(key)).toBe("xmk_0123456789_…");
    expect(maskSecret("Bearer abc")).toBe("(set, hidden)");
  });
});
