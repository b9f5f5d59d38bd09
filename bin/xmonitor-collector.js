#!/usr/bin/env node
// Executable entry of the collector: runs the TypeScript CLI through tsx.
import { register } from "tsx/esm/api";

register();
const { main } = await import("../src/collector/cli.ts");
await main();
