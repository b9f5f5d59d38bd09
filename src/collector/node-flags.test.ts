// The collector's bin starts Node with the collector's flags and
// environment (bin/node-flags.js): started without them, it replaces itself
// with the same command plus them; a flag or variable given explicitly wins.
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, expect, it } from "vitest";
import { projectRoot } from "../../scripts/lib/project-root";
import {
  COLLECTOR_ENV,
  COLLECTOR_NODE_FLAGS,
  missingCollectorEnv,
  missingCollectorFlags,
} from "../../bin/node-flags.js";

const dir = mkdtempSync(path.join(tmpdir(), "xm-node-flags-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const { MALLOC_MMAP_THRESHOLD_: _unset, ...inheritedEnv } = process.env;

/**
 * The execArgv and the collector's variables of every Node process the
 * command ran as (a preload prints them), and the exit code.
 */
function execArgvOf(
  nodeArgs: string[],
  env: Record<string, string> = {},
): { seen: string[][]; envSeen: Record<string, string | undefined>[]; status: number | null; stdout: string } {
  const preload = path.join(dir, "print-exec-argv.cjs");
  const names = JSON.stringify(Object.keys(COLLECTOR_ENV));
  writeFileSync(
    preload,
    `process.stderr.write("EXECARGV " + JSON.stringify(process.execArgv) + "\\n");\n` +
      `process.stderr.write("ENV " + JSON.stringify(Object.fromEntries(${names}.map((n) => [n, process.env[n]]))) + "\\n");\n`,
  );
  const result = spawnSync(
    process.execPath,
    [...nodeArgs, path.join(projectRoot, "bin", "xmonitor-collector.js"), "--help"],
    { encoding: "utf8", env: { ...inheritedEnv, ...env, NODE_OPTIONS: `--require=${preload}` }, cwd: dir },
  );
  const lines = (prefix: string) =>
    result.stderr
      .split("\n")
      .filter((l) => l.startsWith(prefix))
      .map((l) => JSON.parse(l.slice(prefix.length)) as unknown);
  return {
    seen: lines("EXECARGV ") as string[][],
    envSeen: lines("ENV ") as Record<string, string | undefined>[],
    status: result.status,
    stdout: result.stdout,
  };
}

it("runs the CLI with the collector's Node flags and environment, in the same process", () => {
  expect(COLLECTOR_NODE_FLAGS).toContain("--max-semi-space-size=8");
  expect(COLLECTOR_ENV).toEqual({ MALLOC_MMAP_THRESHOLD_: "131072" });
  const { seen, envSeen, status, stdout } = execArgvOf([]);
  expect(status).toBe(0);
  expect(stdout).toContain("Usage: collector");
  expect(seen.at(-1)).toEqual(expect.arrayContaining([...COLLECTOR_NODE_FLAGS]));
  expect(envSeen[0]).toEqual({ MALLOC_MMAP_THRESHOLD_: undefined });
  expect(envSeen.at(-1)).toEqual(COLLECTOR_ENV);
});

it("keeps an environment value given explicitly", () => {
  const { seen, envSeen, status } = execArgvOf(COLLECTOR_NODE_FLAGS, { MALLOC_MMAP_THRESHOLD_: "65536" });
  expect(status).toBe(0);
  // Nothing missing: no second start.
  expect(seen).toHaveLength(1);
  expect(envSeen).toEqual([{ MALLOC_MMAP_THRESHOLD_: "65536" }]);
  expect(missingCollectorEnv({ MALLOC_MMAP_THRESHOLD_: "65536" })).toEqual({});
  expect(missingCollectorEnv({})).toEqual(COLLECTOR_ENV);
});

it("keeps a value given explicitly", () => {
  const { seen, status } = execArgvOf(["--max-semi-space-size=4"], COLLECTOR_ENV);
  expect(status).toBe(0);
  expect(seen).toHaveLength(1);
  expect(seen[0]).toContain("--max-semi-space-size=4");
  expect(seen[0]).not.toContain("--max-semi-space-size=8");
  expect(missingCollectorFlags(["--max-semi-space-size=4"])).toEqual([]);
  expect(missingCollectorFlags([])).toEqual([...COLLECTOR_NODE_FLAGS]);
});
