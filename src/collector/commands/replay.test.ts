// `collector replay generate`: the door a fresh clone uses to get the replay
// source's input. Through the executable on a fresh machine (empty home),
// then a run reads what it wrote; and the command function's refusals.
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { projectRoot } from "../../../scripts/lib/project-root";
import { createMemoryLog } from "../log";
import type { ReplayLine } from "../sources/replay-source";
import { replayGenerateCommand } from "./replay";

const dir = mkdtempSync(path.join(tmpdir(), "xm-replay-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function collector(...args: string[]) {
  const result = spawnSync(path.join(projectRoot, "bin", "xmonitor-collector.js"), args, {
    cwd: dir,
    env: { PATH: process.env.PATH ?? "", HOME: dir, NODE_ENV: "production", XMONITOR_COLLECTOR_NAME: "replay-box" },
    encoding: "utf8",
    timeout: 60_000,
  });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

const readLines = (file: string) =>
  readFileSync(file, "utf8")
    .trimEnd()
    .split("\n")
    .map((l) => JSON.parse(l) as ReplayLine);

describe("collector replay generate", () => {
  it("writes replay.jsonl in the collector's home on a fresh machine, and a run then collects from it", () => {
    const generated = collector("replay", "generate");
    expect(generated.status, generated.stderr).toBe(0);
    const file = path.join(dir, ".local", "share", "xmonitor", "replay.jsonl");
    expect(readLines(file)).toHaveLength(400);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(generated.stdout.startsWith("wrote 400 posts ")).toBe(true);
    expect(generated.stdout).toContain(` to ${file} by macro_desk, `);

    expect(collector("accounts", "add", "macro_desk").status).toBe(0);
    const run = collector("--json", "run", "--mode", "priority", "--no-ingest");
    expect(run.status, run.stderr).toBe(0);
    const ok = run.stdout
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l) as { message: string })
      .find((l) => l.message.startsWith("run "));
    expect(ok?.message).toMatch(/mode=priority ok fetched=[1-9]\d* new=[1-9]/);
  });

  it("takes --out, --accounts, --seed and --count, and refuses to overwrite without --force", () => {
    const args = ["replay", "generate", "--out", "two.jsonl", "--accounts", "chipwatch,@Macro_Desk", "--count", "25"];
    expect(collector(...args, "--seed", "9").status).toBe(0);
    const lines = readLines(path.join(dir, "two.jsonl"));
    expect(lines).toHaveLength(25);
    expect(new Set(lines.map((l) => l.user.username))).toEqual(new Set(["chipwatch", "macro_desk"]));
    const again = collector(...args);
    expect(again.status).toBe(1);
    expect(again.stderr.trim()).toBe(
      "two.jsonl already exists: pass --force to replace it, or --out <file> to write elsewhere",
    );
    expect(readLines(path.join(dir, "two.jsonl"))).toEqual(lines);
  });
});

describe("replayGenerateCommand", () => {
  const base = { seed: "3", count: 50, hours: 24, end: "2026-11-20T00:00:00Z", now: () => new Date() };

  it("writes the same bytes for the same seed and range", async () => {
    const [a, b] = [path.join(dir, "a.jsonl"), path.join(dir, "b.jsonl")];
    for (const out of [a, b])
      expect((await replayGenerateCommand({ ...base, out, log: createMemoryLog() })).exitCode).toBe(0);
    expect(readFileSync(a, "utf8")).toBe(readFileSync(b, "utf8"));
    const times = readLines(a).map((l) => Date.parse(l.tweet.created_at!));
    expect(Math.min(...times)).toBeGreaterThanOrEqual(Date.parse("2026-11-19T00:00:00Z"));
    expect(Math.max(...times)).toBeLessThanOrEqual(Date.parse("2026-11-20T00:00:00Z"));
  });

  it("refuses an unknown account, naming the known ones, and writes nothing", async () => {
    const log = createMemoryLog();
    const out = path.join(dir, "unknown.jsonl");
    const result = await replayGenerateCommand({ ...base, out, accounts: ["nobody"], log });
    expect(result.exitCode).toBe(1);
    expect(log.lines).toEqual([
      expect.stringMatching(/^no replay account @nobody; the replay accounts are macro_desk, /),
    ]);
    expect(existsSync(out)).toBe(false);
  });

  it("replaces an existing file only with force", async () => {
    const out = path.join(dir, "kept.jsonl");
    writeFileSync(out, "mine\n");
    expect((await replayGenerateCommand({ ...base, out, log: createMemoryLog() })).exitCode).toBe(1);
    expect(readFileSync(out, "utf8")).toBe("mine\n");
    expect((await replayGenerateCommand({ ...base, out, force: true, log: createMemoryLog() })).exitCode).toBe(0);
    expect(readLines(out)).toHaveLength(50);
  });
});
