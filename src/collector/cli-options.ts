// What every collector command shares on the command line: the global
// options, the configuration they override, and the parsers of option values.
import type { Command } from "commander";
import { existsSync, readFileSync } from "node:fs";
import { parseEnv } from "node:util";
import {
  collectorEnvSchema,
  HOME_FILES,
  legacyHomeNotice,
  parseCollectorEnv,
  resolveHome,
  type CollectorConfig,
} from "./config";
import { createCollectorContext, type CollectorContext } from "./context";
import { isoTime } from "~/shared/schemas/primitives";

export type GlobalOptions = {
  db?: string;
  apiBaseUrl?: string;
  apiKey?: string;
  apiKeyFile?: string;
  healthFile?: string;
  collector?: string;
  maxAttempts?: number;
  initialBackoffSeconds?: number;
  json?: boolean;
};

/** Where an effective setting came from, in order of precedence. */
export type SettingSource = "flag" | "env" | ".env" | "default" | "old default: data/ in the working folder";

let noticeShown = false;

/** The configuration the flags, the environment and a .env file in the working folder make, and where each value came from. */
export function settingsFrom(command: Command): { config: CollectorConfig; sources: Record<string, SettingSource> } {
  const g = command.optsWithGlobals<GlobalOptions>();
  const environment = { ...process.env };
  const dotenv = existsSync(".env") ? parseEnv(readFileSync(".env", "utf8")) : {};
  if (existsSync(".env")) process.loadEnvFile(".env");
  const flags: Record<string, string | undefined> = {
    ...(g.db ? { XMONITOR_DB_PATH: g.db } : {}),
    ...(g.apiBaseUrl ? { XMONITOR_API_BASE_URL: g.apiBaseUrl } : {}),
    // A key given on the command line replaces the environment's, whichever form each takes.
    ...(g.apiKey ? { XMONITOR_API_KEY: g.apiKey, XMONITOR_API_KEY_FILE: undefined } : {}),
    ...(g.apiKeyFile ? { XMONITOR_API_KEY_FILE: g.apiKeyFile, XMONITOR_API_KEY: undefined } : {}),
    ...(g.healthFile ? { XMONITOR_HEALTH_FILE: g.healthFile } : {}),
    ...(g.collector ? { XMONITOR_COLLECTOR_NAME: g.collector } : {}),
    ...(g.maxAttempts !== undefined ? { XMONITOR_INGEST_MAX_ATTEMPTS: String(g.maxAttempts) } : {}),
    ...(g.initialBackoffSeconds !== undefined
      ? { XMONITOR_INGEST_INITIAL_BACKOFF_SECONDS: String(g.initialBackoffSeconds) }
      : {}),
  };
  const merged = { ...process.env, ...flags };
  const config = parseCollectorEnv(merged, { cwd: process.cwd() });
  const given = (value: string | undefined) => value !== undefined && value.trim() !== "";
  const { origin } = resolveHome(merged, process.cwd());
  const sources = Object.fromEntries(
    Object.keys(collectorEnvSchema.shape).map((name): [string, SettingSource] => [
      name,
      name in flags
        ? "flag"
        : given(environment[name])
          ? "env"
          : given(dotenv[name])
            ? ".env"
            : origin === "legacy" && (name === "XMONITOR_HOME" || name in HOME_FILES)
              ? "old default: data/ in the working folder"
              : "default",
    ]),
  );
  if (origin === "legacy" && !noticeShown) {
    noticeShown = true;
    process.stderr.write(`${legacyHomeNotice(config.XMONITOR_HOME)}
`);
  }
  return { config, sources };
}

export function configFrom(command: Command): CollectorConfig {
  return settingsFrom(command).config;
}

export function contextFrom(command: Command): CollectorContext {
  return createCollectorContext(configFrom(command), { json: command.optsWithGlobals<GlobalOptions>().json ?? false });
}

export function isoOption(value: string): string {
  const parsed = isoTime.safeParse(value);
  // The schema's own message says which rule failed: the shape, the calendar, or the 2006-2100 range.
  if (!parsed.success) throw new Error(`"${value}" ${parsed.error.issues[0]?.message ?? "is not a valid time"}`);
  return value;
}

export function positiveInt(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new Error(`"${value}" is not a positive integer`);
  return n;
}

/**
 * A flag that stands for a variable is checked by the variable's own rule, so
 * `--lookback-seconds abc` or `-900` stops before anything runs, as
 * XMONITOR_INGEST_LOOKBACK_SECONDS=abc would.
 */
export function variableOption(flag: string, variable: keyof typeof collectorEnvSchema.shape) {
  return (value: string): number => {
    const parsed = collectorEnvSchema.shape[variable].safeParse(value);
    if (!parsed.success || typeof parsed.data !== "number") {
      const rule = parsed.success ? "must be a number" : (parsed.error.issues[0]?.message ?? "is not valid");
      throw new Error(`${flag} "${value}": ${rule} (the same rule as ${variable})`);
    }
    return parsed.data;
  };
}
