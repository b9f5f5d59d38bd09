// Whether the production build in .next is at least as new as the sources,
// so start-up and test harnesses rebuild only when needed.
import { existsSync, readdirSync, statSync } from "node:fs";
import path from "node:path";

function newestMtime(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) {
      if (entry.name === "generated" || entry.name === "collector") continue;
      newest = Math.max(newest, newestMtime(full));
    } else if (!entry.name.endsWith(".test.ts")) {
      newest = Math.max(newest, statSync(full).mtimeMs);
    }
  }
  return newest;
}

export function buildIsCurrent(projectRoot: string): boolean {
  const buildId = path.join(projectRoot, ".next", "BUILD_ID");
  if (!existsSync(buildId)) return false;
  const sources = Math.max(
    newestMtime(path.join(projectRoot, "src")),
    statSync(path.join(projectRoot, "package.json")).mtimeMs,
    statSync(path.join(projectRoot, "next.config.js")).mtimeMs,
  );
  return statSync(buildId).mtimeMs >= sources;
}
