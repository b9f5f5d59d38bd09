import { readFileSync } from "node:fs";
import path from "node:path";

export const e2eStateFile = path.resolve(import.meta.dirname, "../../test-results/e2e-state.json");

export type E2eState = { databaseUrl: string; adminKey: string; readerKey: string };

export function readE2eState(): E2eState {
  return JSON.parse(readFileSync(e2eStateFile, "utf8")) as E2eState;
}
