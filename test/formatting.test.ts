// `npm run lint` is where formatting is checked: an unformatted file must fail it.
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { projectRoot } from "../scripts/lib/project-root";

// Inside the project, so the project's .prettierrc.json and .prettierignore apply.
const dir = mkdtempSync(path.join(projectRoot, "format-check-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const prettier = (...args: string[]) =>
  spawnSync(process.execPath, [path.join(projectRoot, "node_modules", "prettier", "bin", "prettier.cjs"), ...args], {
    cwd: projectRoot,
    encoding: "utf8",
  });

describe("formatting", () => {
  it("npm run lint runs Prettier's check over the whole tree", () => {
    const pkg = JSON.parse(readFileSync(path.join(projectRoot, "package.json"), "utf8")) as {
      scripts: Record<string, string>;
    };
    expect(pkg.scripts.lint).toMatch(/prettier --check \.(\s|$)/);
  });

  it("fails on an unformatted file and passes once it is formatted", () => {
    const file = path.join(dir, "sample.ts");
    writeFileSync(file, "export const x = {a:1,\n  b:   2}\n");
    const unformatted = prettier("--check", file);
    expect(unformatted.status).toBe(1);
    expect(unformatted.stderr + unformatted.stdout).toContain("sample.ts");
    expect(prettier("--write", file).status).toBe(0);
    expect(readFileSync(file, "utf8")).toBe("export const x = { a: 1, b: 2 };\n");
    expect(prettier("--check", file).status).toBe(0);
  });
});
