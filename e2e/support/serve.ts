// The e2e web server: a fresh database on the test PostgreSQL (same rules
// as the unit tests), migrated and seeded, then `next start` on the
// production build. Writes what the specs need to know to e2e-state.json.
import { spawn } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import { closeDb, createDb } from "../../src/server/db";
import { withDatabase } from "../../src/server/db-connection";
import { projectRoot } from "../../scripts/lib/project-root";
import { APP_ENV, APP_NODE_FLAGS } from "../../scripts/lib/app-node-flags";
import { createApiKey } from "../../src/server/auth/api-keys";
import { seedDemoData } from "../../src/server/seed/seed";
import { startTestServer, withAdminClient } from "../../test/support/test-server";
import { e2eStateFile } from "./state";

async function main() {
  const server = await startTestServer();
  const name = `xm_e2e_${process.pid}`;
  await withAdminClient(server.adminUrl, async (client) => {
    await client.query(`drop database if exists "${name}" with (force)`);
    await client.query(`create database "${name}" template "${server.templateDatabase}"`);
  });
  const url = withDatabase(server.adminUrl, name);
  const db = createDb(url, { max: 4 });
  await seedDemoData(db, { seed: 7, days: 2 });
  const admin = await createApiKey(db, { name: "e2e-admin", role: "admin" });
  const reader = await createApiKey(db, { name: "e2e-reader", role: "reader" });
  await closeDb(db);
  mkdirSync(path.dirname(e2eStateFile), { recursive: true });
  writeFileSync(e2eStateFile, JSON.stringify({ databaseUrl: url, adminKey: admin.key, readerKey: reader.key }));

  const port = process.env.E2E_PORT ?? "3100";
  const next = spawn(
    process.execPath,
    [
      ...APP_NODE_FLAGS,
      path.join(projectRoot, "node_modules", "next", "dist", "bin", "next"),
      "start",
      "-p",
      port,
      "-H",
      "127.0.0.1",
    ],
    {
      cwd: projectRoot,
      stdio: "inherit",
      env: { ...process.env, ...APP_ENV, DATABASE_URL: url, NODE_ENV: "production", LOG_LEVEL: "warn" },
    },
  );
  const shutdown = async () => {
    next.kill("SIGTERM");
    await withAdminClient(server.adminUrl, (client) =>
      client.query(`drop database if exists "${name}" with (force)`),
    ).catch(() => undefined);
    await server.stop();
    process.exit(0);
  };
  process.on("SIGTERM", () => void shutdown());
  process.on("SIGINT", () => void shutdown());
  next.on("exit", (code) => process.exit(code ?? 1));
}

main().catch((error: unknown) => {
  console.error(`[e2e server] ${(error as Error).message}`);
  process.exit(1);
});
