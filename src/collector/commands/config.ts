// `collector config`: every effective setting and where it came from (flag,
// environment, .env, default), keys masked. What an operator checks when a
// job started by launchd, systemd or cron behaves unlike the same command in
// a shell: another working folder, another environment.
import path from "node:path";
import type { CollectorLog } from "../log";

export type SettingLine = { name: string; value: string | null; source: string; resolved?: string };

const SECRET = /(?:_KEY|_TOKEN)$/;
const PATHLIKE = /_(?:PATH|FILE|DIR)$/;

/** Keys show only their public prefix (xmk_<10 chars>); other secrets only that they are set. */
export function maskSecret(value: string): string {
  const prefix = /^(xmk_[a-z0-9]{10})_/.exec(value);
  return prefix ? `${prefix[1]}_…` : "(set, hidden)";
}

export function describeSettings(
  config: Record<string, unknown>,
  sources: Record<string, string>,
  cwd: string = process.cwd(),
): SettingLine[] {
  return Object.keys(sources)
    .sort()
    .map((name) => {
      const raw = config[name];
      const text =
        raw === undefined || raw === null
          ? null
          : typeof raw === "string"
            ? raw
            : typeof raw === "number" || typeof raw === "boolean"
              ? String(raw)
              : JSON.stringify(raw);
      const value = text !== null && SECRET.test(name) ? maskSecret(text) : text;
      const resolved = text !== null && PATHLIKE.test(name) && !path.isAbsolute(text) ? path.resolve(cwd, text) : null;
      return { name, value, source: sources[name] ?? "default", ...(resolved ? { resolved } : {}) };
    });
}

export function configCommand(
  lines: SettingLine[],
  options: { log: CollectorLog; json: boolean },
): { exitCode: number } {
  if (options.json) {
    options.log.info("settings", { event: "settings", settings: lines });
    return { exitCode: 0 };
  }
  const width = Math.max(...lines.map((l) => l.name.length));
  options.log.info(`working folder: ${process.cwd()}`);
  for (const l of lines)
    options.log.info(
      `${l.name.padEnd(width)}  ${l.value ?? "(unset)"}${l.resolved ? ` = ${l.resolved}` : ""}  [${l.source}]`,
    );
  return { exitCode: 0 };
}
