// `collector schedule --print launchd|systemd|cron [--out <dir>]`: the
// collector's schedule as units of this machine's scheduler (see
// scheduler/units.ts), printed, or written into a folder.
import { mkdirSync, writeFileSync } from "node:fs";
import { homedir } from "node:os";
import path from "node:path";
import type { CollectorConfig } from "../config";
import type { CollectorLog } from "../log";
import { renderUnits, type UnitFile, type UnitFormat, type UnitJob } from "../scheduler/units";

/** The executable every unit starts (absolute: launchd, systemd and cron start from elsewhere). */
export const CLI_PATH = path.resolve(import.meta.dirname, "..", "..", "..", "bin", "xmonitor-collector.js");
export const DEFAULT_ENV_FILE = path.join(homedir(), ".config", "xmonitor", "collector.env");

export function scheduledJobs(config: CollectorConfig): UnitJob[] {
  return [
    { name: "priority", cron: config.XMONITOR_CRON_PRIORITY, args: ["run", "--mode", "priority"] },
    { name: "discovery", cron: config.XMONITOR_CRON_DISCOVERY, args: ["run", "--mode", "discovery"] },
    { name: "refresh-24h", cron: config.XMONITOR_CRON_REFRESH_24H, args: ["run", "--mode", "refresh-24h"] },
    { name: "reconcile", cron: config.XMONITOR_CRON_RECONCILE, args: ["reconcile"] },
  ];
}

export function scheduleUnitsCommand(
  config: CollectorConfig,
  options: {
    format: UnitFormat;
    log: CollectorLog;
    out?: string;
    envFile?: string;
    node?: string;
    cli?: string;
  },
): { exitCode: number; files: UnitFile[] } {
  const logDir = path.join(config.XMONITOR_HOME, "logs");
  let files: UnitFile[];
  try {
    files = renderUnits(options.format, {
      node: options.node ?? process.execPath,
      cli: options.cli ?? CLI_PATH,
      envFile: path.resolve(options.envFile ?? DEFAULT_ENV_FILE),
      home: config.XMONITOR_HOME,
      logDir,
      timezone: config.XMONITOR_TIMEZONE,
      jobs: scheduledJobs(config),
    });
  } catch (error) {
    options.log.error(`schedule --print ${options.format}: ${(error as Error).message}; change XMONITOR_CRON_*`);
    return { exitCode: 1, files: [] };
  }
  if (!options.out) {
    for (const f of files) options.log.info(`# ---- ${f.file} ----\n${f.content}`);
    return { exitCode: 0, files };
  }
  mkdirSync(options.out, { recursive: true });
  mkdirSync(logDir, { recursive: true, mode: 0o700 });
  for (const f of files) {
    const file = path.join(options.out, f.file);
    writeFileSync(file, f.content, { mode: 0o644 });
    options.log.info(`wrote ${file}`);
  }
  options.log.info(`logs go to ${logDir}/<job>.log`);
  return { exitCode: 0, files };
}
