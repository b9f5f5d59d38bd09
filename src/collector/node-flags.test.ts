// The collector's bin starts Node with the collector's flags
// (bin/node-flags.js): started without them, it replaces itself with the same
// command plus them; a flag given explicitly wins.
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, expect, it } from "vitest";
import { projectRoot } from "../../scripts/lib/project-root";
import { COLLECTOR_NODE_FLAGS, missingCollectorFlags } from "../../bin/node-flags.js";

const dir = mkdtempSync(path.join(tmpdir(), "xm-node-flags-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** The execArgv of every Node process the command ran as (a preload prints it), and the exit code. */
function execArgvOf(nodeArgs: string[]): { seen: string[][]; status: number | null; stdout: string } {
  const preload = path.join(dir, "print-exec-argv.cjs");
  writeFileSync(preload, `process.stderr.write("EXECARGV " + JSON.stringify(process.execArgv) + "\\n");\n`);
  const result = spawnSync(
    process.execPath,
    [...nodeArgs, path.join(projectRoot, "bin", "xmonitor-collector.js"), "--help"],
    { encoding: "utf8", env: { ...process.env, NODE_OPTIONS: `--require=${preload}` }, cwd: dir },
  );
  const seen = result.stderr
    .split("\n")
    .filter((l) => l.startsWith("EXECARGV "))
    .map((l) => JSON.parse(l.slice("EXECARGV ".length)) as string[]);
  return { seen, status: result.status, stdout: result.stdout };
}

it("runs the CLI with the collector's Node flags, in the same process", () => {
  expect(COLLECTOR_NODE_FLAGS).toContain("--max-semi-space-size=8");
  const { seen, status, stdout } = execArgvOf([]);
  expect(status).toBe(0);
  expect(stdout).toContain("Usage: collector");
  expect(seen.at(-1)).toEqual(expect.arrayContaining([...COLLECTOR_NODE_FLAGS]));
});

it("keeps a value given explicitly", () => {
  const { seen, status } = execArgvOf(["--max-semi-space-size=4"]);
  expect(status).toBe(0);
  expect(seen).toHaveLength(1);
  expect(seen[0]).toContain("--max-semi-space-size=4");
  expect(seen[0]).not.toContain("--max-semi-space-size=8");
  expect(missingCollectorFlags(["--max-semi-space-size=4"])).toEqual([]);
  expect(missingCollectorFlags([])).toEqual([...COLLECTOR_NODE_FLAGS]);
});
