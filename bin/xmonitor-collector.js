#!/usr/bin/env node
// Executable entry of the collector: runs the CLI from its prebuilt bundle
// when that is current (bin/collector-bundle.js), otherwise the TypeScript
// sources through tsx, with the project's tsconfig (its path aliases),
// wherever it is started from.
// Started without the collector's Node flags or environment
// (bin/node-flags.js), it first replaces itself with the same command plus
// them (execve: the same process, so signals, exit codes and pipes are
// untouched). A Node without execve (before 22.15) runs on without them.
import { loadCollectorCli } from "./collector-bundle.js";
import { missingCollectorEnv, missingCollectorFlags } from "./node-flags.js";

const missing = missingCollectorFlags();
const missingEnv = missingCollectorEnv();
if ((missing.length > 0 || Object.keys(missingEnv).length > 0) && typeof process.execve === "function") {
  process.execve(process.execPath, [process.execPath, ...missing, ...process.execArgv, ...process.argv.slice(1)], {
    ...process.env,
    ...missingEnv,
  });
}
const { main } = await loadCollectorCli();
await main();
