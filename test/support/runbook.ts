// Runs an operator's runbook as written: the fenced blocks marked
// ```sh runbook [id=<name>] [exit=<code>]``` are run in order by bash (stdout
// and stderr as one stream, as a terminal shows them), and the ```text expect```
// block that follows one holds lines its output must show, in order. In an
// expected line `…` stands for anything, two spaces for a column gap, and `<name>` captures a word the later
// blocks use: `<stamp>` or `<runId>` in a command is replaced by what the
// earlier output showed. `$VARIABLES` come from the environment the test sets.
import { spawn, type ChildProcess } from "node:child_process";
import { readFileSync } from "node:fs";

export type RunbookBlock = { id: string; exit: number; script: string; expect: string[]; line: number };
export type BlockRun = { id: string; exitCode: number; output: string; script: string };

const FENCE = /^```(\S*)(.*)$/;

export function parseRunbook(markdown: string): RunbookBlock[] {
  const lines = markdown.split("\n");
  const blocks: RunbookBlock[] = [];
  for (let i = 0; i < lines.length; i++) {
    const open = FENCE.exec(lines[i]!);
    if (!open) continue;
    const start = i;
    const body: string[] = [];
    for (i++; i < lines.length && !lines[i]!.startsWith("```"); i++) body.push(lines[i]!);
    const [lang, info] = [open[1]!, open[2]!.trim().split(/\s+/)];
    if (lang === "sh" && info[0] === "runbook") {
      const attr = (name: string) => info.find((a) => a.startsWith(`${name}=`))?.slice(name.length + 1);
      blocks.push({
        id: attr("id") ?? `line ${start + 1}`,
        exit: Number(attr("exit") ?? 0),
        script: body.join("\n"),
        expect: [],
        line: start + 1,
      });
    } else if (lang === "text" && info[0] === "expect") {
      const last = blocks[blocks.length - 1];
      if (!last) throw new Error(`line ${start + 1}: an expect block before any runbook block`);
      last.expect.push(...body.filter((l) => l.trim() !== ""));
    }
  }
  return blocks;
}

const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

/** An expected line as a pattern: `…` anything, `<name>` a captured word (or the value captured before). */
export function linePattern(expected: string, captured: Record<string, string>): RegExp {
  const groups = new Set<string>();
  const source = expected
    .trimEnd()
    .split(/(…|<[A-Za-z][\w-]*>)/)
    .map((part) => {
      if (part === "…") return ".*";
      const name = /^<([A-Za-z][\w-]*)>$/.exec(part)?.[1];
      // Two or more spaces stand for a column gap of any width.
      if (!name) return escape(part).replace(/ {2,}/g, "\\s+");
      if (captured[name] !== undefined) return escape(captured[name]);
      if (groups.has(name)) return `\\k<${name.replace(/-/g, "_")}>`;
      groups.add(name);
      return `(?<${name.replace(/-/g, "_")}>\\S+?)`;
    })
    .join("");
  return new RegExp(`^${source}\\s*$`);
}

/** Checks `output` shows the expected lines in order; returns the words captured. */
export function matchExpected(output: string, expected: readonly string[], captured: Record<string, string>) {
  const lines = output.split("\n");
  const found: Record<string, string> = {};
  let from = 0;
  for (const want of expected) {
    const pattern = linePattern(want, { ...captured, ...found });
    const at = lines.findIndex((l, i) => i >= from && pattern.test(l));
    if (at < 0) throw new Error(`expected a line like\n  ${want}\nafter line ${from} of:\n${output}`);
    Object.assign(found, pattern.exec(lines[at]!)!.groups ?? {});
    from = at + 1;
  }
  return Object.fromEntries(Object.entries(found).map(([k, v]) => [k.replace(/_/g, "-"), v]));
}

function runBash(script: string, env: Record<string, string>, cwd: string): Promise<{ code: number; output: string }> {
  return new Promise((resolve, reject) => {
    const child: ChildProcess = spawn("bash", ["-c", `{ set -eo pipefail\n${script}\n} 2>&1`], {
      env: env as NodeJS.ProcessEnv,
      cwd,
      stdio: ["ignore", "pipe", "inherit"],
    });
    let output = "";
    child.stdout?.on("data", (chunk: Buffer) => (output += chunk.toString()));
    child.once("error", (error: Error) => reject(error));
    child.once("close", (code: number | null) => resolve({ code: code ?? -1, output }));
  });
}

/**
 * Runs every runbook block of `file` in order; `before[id]` runs first when
 * given (what the world did before the operator's step). Throws at the first
 * block whose exit code or output is not what the runbook says.
 */
export async function runRunbook(
  file: string,
  options: {
    env: Record<string, string>;
    cwd: string;
    before?: Record<string, () => Promise<void>>;
    captured?: Record<string, string>;
  },
): Promise<{ runs: BlockRun[]; captured: Record<string, string> }> {
  const captured: Record<string, string> = { ...options.captured };
  const runs: BlockRun[] = [];
  const blocks = parseRunbook(readFileSync(file, "utf8"));
  if (blocks.length === 0) throw new Error(`${file} has no runbook blocks`);
  for (const block of blocks) {
    await options.before?.[block.id]?.();
    const script = block.script.replace(/<([A-Za-z][\w-]*)>/g, (whole, name: string) => captured[name] ?? whole);
    const { code, output } = await runBash(script, options.env, options.cwd);
    const where = `${file}:${block.line} (${block.id})`;
    if (code !== block.exit)
      throw new Error(`${where}: exit ${code}, the runbook says ${block.exit}:\n${script}\n${output}`);
    try {
      Object.assign(captured, matchExpected(output, block.expect, captured));
    } catch (error) {
      throw new Error(`${where}: ${(error as Error).message}`);
    }
    runs.push({ id: block.id, exitCode: code, output, script });
  }
  return { runs, captured };
}
