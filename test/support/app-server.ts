// The real app (production build, `next start`) on a free loopback port over
// a given database: used by the collector's end-to-end tests and the
// benchmarks.
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { createServer } from "node:net";
import path from "node:path";
import { projectRoot } from "../../scripts/lib/project-root";
import { buildIsCurrent } from "../../scripts/lib/build-state";
import { APP_ENV, APP_NODE_FLAGS } from "../../scripts/lib/app-node-flags";

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
    server.on("error", reject);
  });
}

export function ensureBuild(): void {
  if (buildIsCurrent(projectRoot)) return;
  const result = spawnSync(
    process.execPath,
    [path.join(projectRoot, "node_modules", "next", "dist", "bin", "next"), "build"],
    {
      cwd: projectRoot,
      stdio: "inherit",
      env: { ...process.env, NEXT_TELEMETRY_DISABLED: "1" },
    },
  );
  if (result.status !== 0) throw new Error("next build failed");
}

export type AppServer = {
  baseUrl: string;
  port: number;
  child: ChildProcess;
  stop: () => Promise<void>;
  output: () => string;
};

export async function startAppServer(options: {
  databaseUrl: string;
  port?: number;
  env?: Record<string, string>;
  assumeBuilt?: boolean;
  /** Keep the app's stdout and stderr (its logs) for the test to read. */
  captureOutput?: boolean;
}): Promise<AppServer> {
  // Restarts (fault injection) skip the check: a rebuild mid-test would change what is being tested.
  if (!options.assumeBuilt) ensureBuild();
  const port = options.port ?? (await freePort());
  const child = spawn(
    process.execPath,
    [
      ...APP_NODE_FLAGS,
      path.join(projectRoot, "node_modules", "next", "dist", "bin", "next"),
      "start",
      "-p",
      String(port),
      "-H",
      "127.0.0.1",
    ],
    {
      cwd: projectRoot,
      stdio: ["ignore", options.captureOutput ? "pipe" : "ignore", options.captureOutput ? "pipe" : "inherit"],
      env: {
        ...process.env,
        ...APP_ENV,
        DATABASE_URL: options.databaseUrl,
        NODE_ENV: "production",
        LOG_LEVEL: "warn",
        NEXT_TELEMETRY_DISABLED: "1",
        ...options.env,
      },
    },
  );
  let captured = "";
  child.stdout?.on("data", (chunk: Buffer) => (captured += chunk.toString()));
  child.stderr?.on("data", (chunk: Buffer) => (captured += chunk.toString()));
  const baseUrl = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`the app exited with code ${child.exitCode} before it was ready`);
    try {
      const response = await fetch(`${baseUrl}/api/healthz`);
      if (response.ok) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) throw new Error("the app did not start within 60 s");
    await new Promise((r) => setTimeout(r, 200));
  }
  return {
    baseUrl,
    port,
    child,
    output: () => captured,
    stop: () =>
      new Promise((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once("exit", () => resolve());
        child.kill("SIGTERM");
      }),
  };
}
