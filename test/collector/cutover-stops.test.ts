// The cutover stops where it must, against the real app over a real
// PostgreSQL: freeze times out on a run in progress (the flag stays set), and
// a corrupted source stops the cutover at the snapshot, before anything is sent.
import { readdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { cutoverAll, cutoverFreeze } from "../../src/collector/commands/cutover";
import { isFrozen } from "../../src/collector/scheduler/freeze";
import { RunLock } from "../../src/collector/scheduler/run-lock";
import { LEGACY_COUNTS as COUNTS, startCutoverWorld, type CutoverWorld } from "../support/cutover-world";
import { buildLegacyDatabase } from "../support/legacy-fixture";

let world: CutoverWorld;
let dir: string;

beforeAll(async () => {
  world = await startCutoverWorld();
  dir = world.dir;
}, 600_000);

afterAll(async () => {
  await world?.stop();
});

const context = (overrides?: Record<string, string>) => world.context(overrides);
const serverCounts = () => world.serverCounts();
const cutoverBatches = () => world.cutoverBatches();

describe("the cutover stops", () => {
  it("freeze times out naming the run still in progress, and leaves the flag set", async () => {
    const freezeDir = path.join(dir, "freeze-timeout");
    const { ctx } = context({
      XMONITOR_FREEZE_FILE: path.join(freezeDir, "freeze"),
      XMONITOR_RUN_LOCK_DIR: path.join(freezeDir, "running"),
    });
    const release = new RunLock({ dir: ctx.config.XMONITOR_RUN_LOCK_DIR }).begin("run:priority", "fetching");
    try {
      const result = await cutoverFreeze(ctx, { dataDir: freezeDir, timeoutSeconds: 1 });
      expect(result.exitCode).toBe(1);
      expect(result.message).toMatch(
        /^collector runs still in progress after 1 s: run:priority \(fetching\) in pid \d+ on \S+, since .*The freeze flag stays set/,
      );
      expect(isFrozen(ctx.config.XMONITOR_FREEZE_FILE)).toMatchObject({ reason: "cutover legacy-box" });
    } finally {
      release();
      ctx.store.close();
    }
  });

  it("stops before export when integrity_check fails on the copy, and writes nothing to the server", async () => {
    const before = await serverCounts();
    const corruptDir = path.join(dir, "corrupt");
    const source = path.join(corruptDir, "x_monitor.db");
    buildLegacyDatabase(source, COUNTS, { seed: 11 });
    // Garbage over a page in the middle of the tweets data, as a failing disk would leave.
    const bytes = readFileSync(source);
    const page = Math.floor(bytes.length / 4096 / 2);
    for (let i = 0; i < 4096; i++) bytes[page * 4096 + i] = (i * 131 + 7) % 256;
    writeFileSync(source, bytes);

    const { ctx, log } = context({ XMONITOR_FREEZE_FILE: path.join(corruptDir, "freeze") });
    const result = await cutoverAll(ctx, { dataDir: corruptDir, source, label: "corrupt-box", timeoutSeconds: 5 });
    expect(result.exitCode).toBe(1);
    expect(result.stoppedAt).toBe("snapshot");
    expect(result.message).toMatch(
      /^cutover stopped at snapshot: PRAGMA integrity_check on .*x_monitor\.cutover\.\d{8}_\d{6}\.db did not say ok: .+ Stopped before export: nothing was sent to the server/,
    );
    expect(log.lines).toContainEqual(expect.stringMatching(/^cutover snapshot failed: PRAGMA integrity_check/));
    expect(readdirSync(corruptDir).filter((n) => n.startsWith("export_cutover_"))).toEqual([]);
    expect(await serverCounts()).toEqual(before);
    expect(await cutoverBatches()).toBe(0);
    const record = await world.t.db.cutoverRun.findUniqueOrThrow({ where: { id: result.cutoverId } });
    expect(record.status).toBe("failed");
    expect(record.steps).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ step: "freeze", status: "succeeded" }),
        expect.objectContaining({
          step: "snapshot",
          status: "failed",
          figures: expect.objectContaining({ integrityCheck: expect.any(Array) }),
        }),
      ]),
    );
    ctx.store.close();
  });
});
