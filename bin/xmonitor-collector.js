#!/usr/bin/env node
// Executable entry of the collector: runs the TypeScript CLI through tsx,
// with the project's tsconfig (its path aliases) wherever it is started from.
// Started without the collector's Node flags or environment
// (bin/node-flags.js), it first replaces itself with the same command plus
// them (execve: the same process, so signals, exit codes and pipes are
// untouched). A Node without execve (before 22.15) runs on without them.
import { fileURLToPath, URL } from "node:url";
import { missingCollectorEnv, missingCollectorFlags } from "./node-flags.js";

const missing = missingCollectorFlags();
const missingEnv = missingCollectorEnv();
if ((missing.length > 0 || Object.keys(missingEnv).length > 0) && typeof process.execve === "function") {
  process.execve(process.execPath, [process.execPath, ...missing, ...process.execArgv, ...process.argv.slice(1)], {
    ...process.env,
    ...missingEnv,
  });
}
const { register } = await import("tsx/esm/api");
register({ tsconfig: fileURLToPath(new URL("../tsconfig.json", import.meta.url)) });
const { main } = await import("../src/collector/cli.ts");
await main();
