#!/usr/bin/env node
// Executable entry of the collector: runs the TypeScript CLI through tsx,
// with the project's tsconfig (its path aliases) wherever it is started from.
import { fileURLToPath, URL } from "node:url";
import { register } from "tsx/esm/api";

register({ tsconfig: fileURLToPath(new URL("../tsconfig.json", import.meta.url)) });
const { main } = await import("../src/collector/cli.ts");
await main();
