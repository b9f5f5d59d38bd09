import { existsSync } from "node:fs";

/** Scripts (not the Next server) read an optional .env file in the working folder. */
export function loadDotEnv(file = ".env"): void {
  if (existsSync(file)) process.loadEnvFile(file);
}
