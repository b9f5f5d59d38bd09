// The executable end to end: flags, exit codes, --json output.
import { spawnSync } from "node:child_process";
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import Database from "better-sqlite3";
import { afterAll, describe, expect, it } from "vitest";
import { projectRoot } from "../../scripts/lib/project-root";

const dir = mkdtempSync(path.join(tmpdir(), "xm-cli-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function collector(...args: string[]) {
  return collectorWith({}, ...args);
}

function collectorWith(extraEnv: Record<string, string>, ...args: string[]) {
  const result = spawnSync(
    path.join(projectRoot, "bin", "xmonitor-collector.js"),
    ["--db", path.join(dir, "x.db"), ...args],
    {
      cwd: dir,
      env: {
        PATH: process.env.PATH ?? "",
        HOME: dir,
        NODE_ENV: "production",
        XMONITOR_FREEZE_FILE: path.join(dir, "collector.freeze"),
        XMONITOR_RUN_LOCK_DIR: path.join(dir, "running"),
        XMONITOR_HEALTH_FILE: path.join(dir, "health.json"),
        XMONITOR_COLLECTOR_NAME: "cli-box",
        ...extraEnv,
      },
      encoding: "utf8",
      timeout: 60_000,
    },
  );
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

/** Rows in the local runs table: what a refused command must not have added. */
function localRuns(): unknown {
  const db = new Database(path.join(dir, "x.db"), { readonly: true });
  try {
    return db.prepare("select count(*) from runs").pluck().get();
  } finally {
    db.close();
  }
}

describe("xmonitor-collector", () => {
  it("manages the watch list", () => {
    expect(collector("accounts", "add", "@Macro_Desk", "--tier", "priority").stdout.trim()).toBe(
      "added @macro_desk (priority)",
    );
    collector("accounts", "add", "chipwatch", "--tier", "discovery");
    expect(collector("accounts", "set-tier", "chipwatch", "priority").stdout.trim()).toBe("@chipwatch is now priority");
    const listed = JSON.parse(collector("--json", "accounts", "list").stdout) as { handle: string; tier: string }[];
    expect(listed.map((a) => [a.handle, a.tier])).toEqual([
      ["chipwatch", "priority"],
      ["macro_desk", "priority"],
    ]);
  });

  it("freezes and unfreezes, and status says so", () => {
    expect(collector("freeze", "--reason", "cutover").stdout).toContain("frozen");
    const frozen = JSON.parse(collector("--json", "status").stdout) as {
      frozen: { reason: string } | null;
      collector: string;
    };
    expect(frozen).toMatchObject({ collector: "cli-box", frozen: { reason: "cutover" } });
    expect(collector("unfreeze").stdout.trim()).toBe("unfrozen: scheduled jobs run again");
    expect((JSON.parse(collector("--json", "status").stdout) as { frozen: unknown }).frozen).toBeNull();
  });

  it("refuses run and catch-up while frozen: one line with who, since when and why, exit 75, nothing written", () => {
    collector("freeze", "--reason", "cutover my-laptop");
    // Were the freeze ignored, run would fail on the missing replay file and
    // catch-up on the unreachable server, both with exit 1.
    const unreachable = {
      XMONITOR_API_KEY: "xmk_0000000000_notarealkeynotarealkeynotarealkey00",
      XMONITOR_API_BASE_URL: "http://127.0.0.1:9",
      XMONITOR_REPLAY_FILE: path.join(dir, "no-such-replay.jsonl"),
    };
    const run = collectorWith(unreachable, "run", "--mode", "priority");
    expect(run.status).toBe(75);
    expect(run.stderr).toMatch(
      /run mode=priority refused: the collector is frozen since \d{4}-\d{2}-\d{2}T[\d:.]+Z by [^@\s]+@\S+ \(cutover my-laptop\); nothing was collected or pushed/,
    );
    const catchUp = collectorWith(unreachable, "catch-up", "--since", "2026-11-28T00:00:00Z");
    expect(catchUp.status).toBe(75);
    expect(catchUp.stderr).toContain("catch-up since=2026-11-28T00:00:00Z refused: the collector is frozen");
    expect(localRuns()).toBe(0);
    collector("unfreeze");
    // Unfrozen, the same run gets past the freeze and fails on the missing replay file instead.
    expect(collectorWith(unreachable, "run", "--mode", "priority").status).toBe(1);
  });

  it("reads the key from --api-key-file, which wins over XMONITOR_API_KEY, and refuses a file others can read", () => {
    const file = path.join(dir, "ingest.key");
    writeFileSync(file, "xmk_0123456789_c2VjcmV0LXNlY3JldC1zZWNyZXQtc2VjcmV0\n", { mode: 0o644 });
    chmodSync(file, 0o644);
    const open = collector("--api-key-file", file, "status");
    expect(open.status).toBe(1);
    expect(open.stderr.trim()).toBe(
      `Invalid collector environment: XMONITOR_API_KEY_FILE: ${file} is open to group or others (mode 0644): run chmod 600 ${file}`,
    );
    chmodSync(file, 0o600);
    expect(collector("--api-key-file", file, "status")).toMatchObject({ status: 0, stderr: "" });
    // A key in the environment too: the flag replaces it instead of failing as "set twice".
    const inEnv = { XMONITOR_API_KEY: "xmk_9999999999_ZnJvbS1kb3QtZW52LWZyb20tZG90LWVudg" };
    expect(collectorWith(inEnv, "--api-key-file", file, "status")).toMatchObject({ status: 0, stderr: "" });
    const twice = collectorWith({ ...inEnv, XMONITOR_API_KEY_FILE: file }, "status");
    expect(twice.status).toBe(1);
    expect(twice.stderr.trim()).toBe(
      "Invalid collector environment: XMONITOR_API_KEY_FILE: is set together with XMONITOR_API_KEY: keep only the file",
    );
  });

  it("checks numeric flags by their variable's rule before anything runs, and logs each ingest's window", () => {
    const before = localRuns();
    for (const bad of ["abc", "-900", "0", "1.5"]) {
      const refused = collector("run", "--mode", "priority", "--lookback-seconds", bad);
      expect(refused.status, bad).not.toBe(0);
      expect(refused.stderr, bad).toContain(`--lookback-seconds "${bad}": `);
      expect(refused.stderr, bad).toContain("(the same rule as XMONITOR_INGEST_LOOKBACK_SECONDS)");
    }
    expect(collector("--max-attempts", "0", "status").stderr).toContain(
      '--max-attempts "0": Too small: expected number to be >0 (the same rule as XMONITOR_INGEST_MAX_ATTEMPTS)',
    );
    expect(collector("--initial-backoff-seconds", "-1", "status").stderr).toContain(
      "(the same rule as XMONITOR_INGEST_INITIAL_BACKOFF_SECONDS)",
    );
    expect(localRuns()).toBe(before);

    const replay = path.join(dir, "flags-replay.jsonl");
    expect(collector("replay", "generate", "--out", replay, "--count", "20").status).toBe(0);
    const unreachable = {
      XMONITOR_API_KEY: "xmk_0000000000_notarealkeynotarealkeynotarealkey00",
      XMONITOR_API_BASE_URL: "http://127.0.0.1:9",
      XMONITOR_REPLAY_FILE: replay,
      // Its own health file: no earlier failure widens the window.
      XMONITOR_HEALTH_FILE: path.join(dir, "flags-health.json"),
    };
    const run = collectorWith(
      unreachable,
      "--max-attempts",
      "1",
      "--initial-backoff-seconds",
      "0",
      "run",
      "--mode",
      "priority",
      "--lookback-seconds",
      "600",
    );
    expect(run.status).toBe(1);
    expect(run.stdout + run.stderr).toMatch(
      /ingest: mode=priority since=\d{4}-\d{2}-\d{2}T[\d:.]+Z lookback=600s attempts≤1/,
    );
    // One attempt: no retry line.
    expect(run.stdout + run.stderr).not.toContain("api retry");
  });

  it("stops quietly when the reader of its output goes away (| head)", () => {
    const piped = spawnSync(
      "bash",
      [
        "-c",
        `"${path.join(projectRoot, "bin", "xmonitor-collector.js")}" --db "${path.join(dir, "x.db")}" config | head -1`,
      ],
      { cwd: dir, env: { PATH: process.env.PATH ?? "", HOME: dir, NODE_ENV: "production" }, encoding: "utf8" },
    );
    expect(piped.stdout).toContain("working folder:");
    expect(piped.stderr).not.toContain("EPIPE");
  });

  it("refuses bad input with one line and a non-zero exit", () => {
    const badSince = collector("catch-up", "--since", "yesterday");
    expect(badSince.status).not.toBe(0);
    expect(badSince.stderr).toContain('"yesterday" must be an ISO-8601 time with a zone, e.g. 2026-02-25T19:39:12Z');
    const tooEarly = collector("catch-up", "--since", "2000-01-01T00:00:00Z");
    expect(tooEarly.status).not.toBe(0);
    expect(tooEarly.stderr).toContain('"2000-01-01T00:00:00Z" must be a real time between 2006 and 2100');
    const notInCalendar = collector("catch-up", "--since", "2026-02-30T10:00:00Z");
    expect(notInCalendar.stderr).toContain("must be a real calendar time");
    const noKey = collector("reconcile");
    expect(noKey.status).not.toBe(0);
    expect(noKey.stdout + noKey.stderr).toContain("XMONITOR_API_KEY is not set");
    const badEnv = spawnSync(path.join(projectRoot, "bin", "xmonitor-collector.js"), ["status"], {
      cwd: dir,
      env: { PATH: process.env.PATH ?? "", NODE_ENV: "production", XMONITOR_INGEST_MAX_ATTEMPTS: "many" },
      encoding: "utf8",
    });
    expect(badEnv.status).toBe(1);
    expect(badEnv.stderr.trim()).toMatch(
      /^Invalid collector environment: XMONITOR_INGEST_MAX_ATTEMPTS: .*\(got "many"\)$/,
    );
  });
});
