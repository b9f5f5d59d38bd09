// `collector schedule`: the jobs it runs, each on its own configurable cron line.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { collectorFiles } from "../../../test/support/collector-env";
import { parseCollectorEnv } from "../config";
import { createCollectorContext } from "../context";
import { createMemoryLog } from "../log";
import { createCollectorScheduler } from "./schedule";

const dir = mkdtempSync(path.join(tmpdir(), "xm-schedule-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("collector schedule", () => {
  it("runs refresh-24h once a day by default, on XMONITOR_CRON_REFRESH_24H when set, beside the other jobs", () => {
    const next = (env: Record<string, string>) => {
      const ctx = createCollectorContext(
        parseCollectorEnv({ ...collectorFiles(dir), XMONITOR_TIMEZONE: "UTC", ...env }),
        {
          log: createMemoryLog(),
        },
      );
      try {
        return Object.fromEntries(
          createCollectorScheduler(ctx)
            .nextRuns()
            .map((r) => [r.name, r.next]),
        );
      } finally {
        ctx.store.close();
      }
    };
    const byDefault = next({});
    expect(Object.keys(byDefault)).toEqual(["priority", "discovery", "refresh-24h", "reconcile"]);
    const refresh = byDefault["refresh-24h"]!;
    expect([refresh.getUTCHours(), refresh.getUTCMinutes()]).toEqual([4, 40]);
    expect(refresh.getTime() - Date.now()).toBeLessThanOrEqual(86_400_000);
    const custom = next({ XMONITOR_CRON_REFRESH_24H: "15 3 * * *" })["refresh-24h"]!;
    expect([custom.getUTCHours(), custom.getUTCMinutes()]).toEqual([3, 15]);
  });
});
