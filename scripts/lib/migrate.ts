// Applies prisma/migrations with Prisma's own `migrate deploy` (JavaScript
// schema engine, see docs/decisions/001-offline-prisma.md), so the
// _prisma_migrations history is exactly what Prisma expects.
import { execFile } from "node:child_process";
import { promisify } from "node:util";
import path from "node:path";
import { projectRoot } from "./project-root";

const run = promisify(execFile);

export async function prismaCli(args: string[], databaseUrl: string): Promise<string> {
  const bin = path.join(projectRoot, "node_modules", "prisma", "build", "index.js");
  try {
    const preload = path.join(import.meta.dirname, "prisma-unref-timers.cjs");
    const { stdout } = await run(process.execPath, ["--require", preload, bin, ...args], {
      cwd: projectRoot,
      env: { ...process.env, DATABASE_URL: databaseUrl, PRISMA_HIDE_UPDATE_MESSAGE: "1" },
      maxBuffer: 64 * 1024 * 1024,
    });
    return stdout;
  } catch (error) {
    const e = error as { stderr?: string; stdout?: string; message: string };
    const detail = (e.stderr || e.stdout || e.message)
      .split("\n")
      .filter((l) => l.trim() && !l.startsWith("Loaded Prisma config"))
      .join(" ");
    throw new Error(`prisma ${args[0]} ${args[1] ?? ""} failed: ${detail}`);
  }
}

export async function migrateDatabase(databaseUrl: string): Promise<void> {
  await prismaCli(["migrate", "deploy"], databaseUrl);
}
