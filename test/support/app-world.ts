// A fresh database with an admin key, the real app (production build) on it
// and a scratch folder: what the tests that drive the collector against the
// app start with. `stop` undoes all three.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { startAppServer, type AppServer } from "./app-server";
import { createTestDatabase, type TestDatabase } from "./database";
import { principalFor } from "./fixtures";

export type AppWorld = { t: TestDatabase; app: AppServer; dir: string; key: string; stop: () => Promise<void> };

export async function startAppWorld(options: { dirPrefix: string; captureOutput?: boolean }): Promise<AppWorld> {
  const t = await createTestDatabase();
  const key = (await principalFor(t.db, "admin")).key;
  const app = await startAppServer({
    databaseUrl: t.url,
    env: { RATE_LIMIT_PER_MINUTE: "100000" },
    ...(options.captureOutput ? { captureOutput: true } : {}),
  });
  const dir = mkdtempSync(path.join(tmpdir(), options.dirPrefix));
  return {
    t,
    app,
    dir,
    key,
    stop: async () => {
      await app.stop();
      await t.drop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
