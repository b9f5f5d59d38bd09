// npm run bench [-- --quick] [-- --only ingest,lookup]
// Runs every benchmark of the suite one after another, each in its own
// process (so one part's memory and JIT state cannot colour the next), shows
// each part's output as it runs, then repeats every table and target line
// together with the time each part took.
import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import path from "node:path";
import { flagArg, printTable } from "./support";

const parts = ["ingest", "cutover", "lookup", "reconcile", "console"] as const;

function selectedParts(): string[] {
  const i = process.argv.indexOf("--only");
  if (i < 0) return [...parts];
  const wanted = (process.argv[i + 1] ?? "").split(",").filter(Boolean);
  const unknown = wanted.filter((w) => !(parts as readonly string[]).includes(w));
  if (unknown.length) throw new Error(`unknown part(s) ${unknown.join(", ")}: choose from ${parts.join(", ")}`);
  return wanted;
}

type Outcome = { part: string; code: number | null; seconds: number; output: string };

function runPart(part: string, quick: boolean): Promise<Outcome> {
  const script = path.join(import.meta.dirname, `${part}.ts`);
  if (!existsSync(script))
    return Promise.resolve({ part, code: 1, seconds: 0, output: `bench/${part}.ts is missing\n` });
  const started = performance.now();
  const tsx = path.join(import.meta.dirname, "..", "node_modules", "tsx", "dist", "cli.mjs");
  const child = spawn(process.execPath, [tsx, script, ...(quick ? ["--quick"] : [])], {
    stdio: ["ignore", "pipe", "pipe"],
    env: process.env,
  });
  let output = "";
  const relay = (chunk: Buffer, to: NodeJS.WriteStream) => {
    output += chunk.toString();
    to.write(chunk);
  };
  child.stdout.on("data", (c: Buffer) => relay(c, process.stdout));
  child.stderr.on("data", (c: Buffer) => relay(c, process.stderr));
  return new Promise((resolve) =>
    child.on("close", (code) => resolve({ part, code, seconds: (performance.now() - started) / 1000, output })),
  );
}

/** The tables (markdown-style lines) and target lines a part printed. */
function summaryLines(output: string): string[] {
  return output
    .split("\n")
    .filter((line) => line.startsWith("|") || line.startsWith("target:") || line.startsWith("skipped:"));
}

async function main() {
  const quick = flagArg("quick");
  const selected = selectedParts();
  const started = performance.now();
  const outcomes: Outcome[] = [];
  for (const part of selected) {
    console.log(`\n=== bench:${part}${quick ? " (quick)" : ""} ===`);
    outcomes.push(await runPart(part, quick));
  }
  console.log(`\n=== summary${quick ? " (quick: sizes too small for the figures to mean anything)" : ""} ===`);
  for (const o of outcomes) {
    console.log(
      `\nbench:${o.part}: ${o.code === 0 ? "completed" : `FAILED (exit ${o.code})`} in ${o.seconds.toFixed(0)} s`,
    );
    for (const line of summaryLines(o.output)) console.log(line);
  }
  console.log("");
  printTable(
    ["part", "result", "seconds"],
    outcomes.map((o) => [o.part, o.code === 0 ? "completed" : "FAILED", o.seconds.toFixed(0)]),
  );
  console.log(`\nnpm run bench took ${((performance.now() - started) / 60_000).toFixed(1)} minutes`);
  if (outcomes.some((o) => o.code !== 0)) process.exit(1);
}

main().catch((error: unknown) => {
  console.error(`bench failed: ${(error as Error).message}`);
  process.exit(1);
});
