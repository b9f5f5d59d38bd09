// The collector's prebuilt bundle (bin/collector-bundle.js): the bin starts
// from it while it is current and from the sources through tsx otherwise,
// and from it the command line behaves as from the sources, its paths
// relative to the project included (the SQLite contract, the bin in units).
import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { projectRoot } from "../../scripts/lib/project-root";
import { BUNDLE_BUILD_OPTIONS, BUNDLE_FILE, BUNDLE_INPUTS, bundleIsFresh } from "../../bin/collector-bundle.js";

const dir = mkdtempSync(path.join(tmpdir(), "xm-bundle-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("whether the bundle is current", () => {
  const root = path.join(dir, "tree");
  const bundle = path.join(root, "dist", "collector.mjs");
  const at = (file: string, seconds: number) => utimesSync(path.join(root, file), seconds, seconds);
  const fresh = () => bundleIsFresh({ root, bundle, inputs: ["src", "tsconfig.json"] });

  it("is current only while no input changed after it was written", () => {
    mkdirSync(path.join(root, "src", "deep"), { recursive: true });
    for (const file of ["src/a.ts", "src/deep/b.ts", "tsconfig.json"]) writeFileSync(path.join(root, file), "");
    for (const file of ["src/a.ts", "src/deep/b.ts", "src/deep", "src", "tsconfig.json"]) at(file, 1_000);
    expect(fresh()).toBe(false); // none built yet
    mkdirSync(path.dirname(bundle));
    writeFileSync(bundle, "");
    at("dist/collector.mjs", 2_000);
    expect(fresh()).toBe(true);
    at("src/deep/b.ts", 3_000); // an edit, however deep
    expect(fresh()).toBe(false);
    at("dist/collector.mjs", 4_000); // built again
    expect(fresh()).toBe(true);
    writeFileSync(path.join(root, "src", "deep", "new.ts"), ""); // a file added now
    expect(fresh()).toBe(false);
  });
});

describe("what the bundle is built from", () => {
  it("lies within the inputs whose changes make it stale", async () => {
    const { build } = await import("esbuild");
    const { metafile } = await build({ ...BUNDLE_BUILD_OPTIONS, write: false, metafile: true, logLevel: "silent" });
    const sources = Object.keys(metafile.inputs);
    expect(sources.length).toBeGreaterThan(50);
    const outside = sources.filter((file) => !BUNDLE_INPUTS.some((input) => file.startsWith(`${input}/`)));
    // A source elsewhere would not make the bundle stale when edited: add its folder to BUNDLE_INPUTS.
    expect(outside).toEqual([]);
  });
});

describe("the bin", () => {
  const home = path.join(dir, "home");
  // Prints what the process resolved of tsx or of TypeScript files: the bundle needs neither.
  const preload = path.join(dir, "watch-resolves.mjs");
  beforeAll(() => {
    mkdirSync(home, { recursive: true });
    writeFileSync(
      preload,
      `import { registerHooks } from "node:module";
let sources = 0;
registerHooks({ resolve(specifier, context, next) {
  if (specifier.startsWith("tsx") || specifier.endsWith(".ts")) sources++;
  return next(specifier, context);
} });
process.on("exit", () => process.stderr.write("SOURCES " + sources + "\\n"));
`,
    );
    const built = spawnSync(process.execPath, [path.join(projectRoot, "scripts", "build-collector.mjs")], {
      encoding: "utf8",
    });
    expect(built.status, built.stderr).toBe(0);
    expect(built.stdout).toMatch(/collector bundle: dist\/collector\/cli\/collector\.mjs/);
  }, 60_000);

  function collector(args: string[], env: Record<string, string> = {}) {
    const result = spawnSync(
      process.execPath,
      ["--import", preload, path.join(projectRoot, "bin", "xmonitor-collector.js"), ...args],
      { encoding: "utf8", cwd: dir, env: { ...process.env, HOME: home, XMONITOR_HOME: home, ...env } },
    );
    const sources = Number(/SOURCES (\d+)/.exec(result.stderr)?.[1] ?? NaN);
    return { ...result, sources };
  }

  it("starts from the bundle when it is current, and behaves as the sources do", () => {
    expect(bundleIsFresh()).toBe(true);
    const bundled = collector(["--help"]);
    const fromSources = collector(["--help"], { XMONITOR_COLLECTOR_FROM_SOURCES: "1" });
    expect(bundled.status).toBe(0);
    expect(bundled.sources).toBe(0);
    expect(fromSources.sources).toBeGreaterThan(0);
    expect(bundled.stdout).toBe(fromSources.stdout);
    expect(BUNDLE_FILE.startsWith(projectRoot)).toBe(true);
  });

  it("keeps the paths it reads relative to the project: the SQLite contract and the bin in units", () => {
    const added = collector(["--db", path.join(dir, "x_monitor.db"), "accounts", "add", "somebody"]);
    expect(added.status, added.stderr).toBe(0);
    expect(added.sources).toBe(0);
    const units = collector(["schedule", "--print", "cron"]);
    expect(units.status, units.stderr).toBe(0);
    expect(units.stdout).toContain(path.join(projectRoot, "bin", "xmonitor-collector.js"));
  });
});
