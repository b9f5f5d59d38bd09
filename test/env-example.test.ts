// .env.example is where operators look up a setting: it must list every
// variable the server and the collector read, with the real default.
import { readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { projectRoot } from "../scripts/lib/project-root";
import { envSchema, parseEnv } from "../src/env";
import { collectorEnvSchema, HOME_FILES, parseCollectorEnv } from "../src/collector/config";

/** `NAME=value` lines, commented out or not. */
function listed(): Map<string, string> {
  const text = readFileSync(path.join(projectRoot, ".env.example"), "utf8");
  const lines = [...text.matchAll(/^#?\s?([A-Z][A-Z0-9_]+)=(.*)$/gm)];
  return new Map(lines.map((m) => [m[1]!, m[2]!.trim()]));
}

// Set by the tooling, or shown with an example rather than its default.
const notListed = new Set(["NODE_ENV"]);
const exampleValues = new Set(["XMONITOR_COLLECTOR_NAME", "DATABASE_URL", "XMONITOR_API_KEY"]);

describe(".env.example", () => {
  const example = listed();

  it("lists every variable of the server and the collector", () => {
    const names = [...Object.keys(envSchema.shape), ...Object.keys(collectorEnvSchema.shape)];
    expect(names.filter((n) => !notListed.has(n) && !example.has(n))).toEqual([]);
  });

  it("seeds nothing when copied: a real database must not receive demo data", () => {
    const text = readFileSync(path.join(projectRoot, ".env.example"), "utf8");
    expect(text).not.toMatch(/^XMONITOR_SEED_ON_EMPTY=/m);
    expect(example.get("XMONITOR_SEED_ON_EMPTY")).not.toMatch(/^(true|1)$/);
  });

  it("shows each default as the schema has it", () => {
    const serverDefaults = parseEnv({}) as Record<string, unknown>;
    const collectorDefaults = parseCollectorEnv({}) as Record<string, unknown>;
    const wrong: string[] = [];
    for (const [name, value] of example) {
      if (exampleValues.has(name) || value === "") continue;
      // State files are shown by their name inside XMONITOR_HOME.
      if (name in HOME_FILES) {
        const actual = String(collectorDefaults[name]);
        if (actual !== path.join(String(collectorDefaults.XMONITOR_HOME), value))
          wrong.push(`${name}=${value} (default ${actual})`);
        continue;
      }
      const [defaults, parse] =
        name in envSchema.shape
          ? [serverDefaults, (v: string) => parseEnv({ [name]: v }) as Record<string, unknown>]
          : name in collectorEnvSchema.shape
            ? [collectorDefaults, (v: string) => parseCollectorEnv({ [name]: v }) as Record<string, unknown>]
            : [null, null];
      if (!defaults || !parse || defaults[name] === undefined) continue;
      if (JSON.stringify(parse(value)[name]) !== JSON.stringify(defaults[name]))
        wrong.push(`${name}=${value} (default ${JSON.stringify(defaults[name])})`);
    }
    expect(wrong).toEqual([]);
  });
});
