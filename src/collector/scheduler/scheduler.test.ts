import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir, hostname, userInfo } from "node:os";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { freeze, isFrozen, unfreeze } from "./freeze";
import { IdleTimeoutError, listRunsInProgress, RunLock, waitUntilIdle } from "./run-lock";
import { createScheduler, DEFAULT_SCHEDULE, validateSchedule, type SchedulerLog } from "./scheduler";

let dir: string;
let freezeFile: string;
let lockDir: string;
let lines: string[];
const log: SchedulerLog = {
  info: (m) => lines.push(`info ${m}`),
  warn: (m) => lines.push(`warn ${m}`),
  error: (m) => lines.push(`error ${m}`),
};

beforeEach(() => {
  dir = mkdtempSync(path.join(tmpdir(), "xmon-sched-"));
  freezeFile = path.join(dir, "collector.freeze");
  lockDir = path.join(dir, "collector.running");
  lines = [];
});
afterEach(() => {
  vi.useRealTimers();
  rmSync(dir, { recursive: true, force: true });
});

function deferred() {
  let resolve!: () => void;
  let reject!: (e: Error) => void;
  const promise = new Promise<void>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

const scheduler = (run: () => Promise<void>, cron: string = DEFAULT_SCHEDULE.priority) =>
  createScheduler({ jobs: [{ name: "priority", cron, run }], freezeFile, runLock: new RunLock({ dir: lockDir }), log });

describe("freeze flag", () => {
  it("freezes with a reason, keeps the first since, and unfreezes", () => {
    // Who froze it: the operator's account on this machine.
    const by = `${userInfo().username}@${hostname()}`;
    expect(isFrozen(freezeFile)).toBeUndefined();
    expect(
      freeze({ file: freezeFile, reason: "cutover to server", clock: () => new Date("2026-02-25T20:00:00Z") }),
    ).toEqual({ reason: "cutover to server", since: "2026-02-25T20:00:00.000Z", by });
    expect(
      freeze({ file: freezeFile, reason: "cutover, step 2", clock: () => new Date("2026-02-25T21:00:00Z") }),
    ).toEqual({ reason: "cutover, step 2", since: "2026-02-25T20:00:00.000Z", by });
    expect(isFrozen(freezeFile)).toEqual({ reason: "cutover, step 2", since: "2026-02-25T20:00:00.000Z", by });
    expect(unfreeze(freezeFile)).toBe(true);
    expect(unfreeze(freezeFile)).toBe(false);
    expect(() => freeze({ file: freezeFile, reason: "  " })).toThrow(/needs a reason/);
  });

  it("treats an unreadable flag file as frozen", () => {
    writeFileSync(freezeFile, "garbage");
    expect(isFrozen(freezeFile)?.reason).toMatch(/not JSON: garbage/);
  });
});

describe("scheduler", () => {
  it("never overlaps a job with itself: a trigger during a run is skipped and logged", async () => {
    const gate = deferred();
    let runs = 0;
    const s = scheduler(async () => {
      runs++;
      await gate.promise;
    });
    const first = s.trigger("priority");
    expect(s.runningJobs()).toEqual(["priority"]);
    expect(await s.trigger("priority")).toBe("skipped-running");
    expect(lines.at(-1)).toMatch(
      /^warn scheduler: skipped priority: the previous run, started .*, is still in progress$/,
    );
    gate.resolve();
    expect(await first).toBe("ran");
    expect(s.runningJobs()).toEqual([]);
    const again = deferred();
    again.resolve();
    expect(await s.trigger("priority")).toBe("ran");
    expect(runs).toBe(2);
  });

  it("skips jobs while frozen, saying so, and runs again after unfreeze", async () => {
    let runs = 0;
    const s = scheduler(async () => {
      runs++;
    });
    freeze({ file: freezeFile, reason: "cutover", clock: () => new Date("2026-02-25T20:00:00Z") });
    expect(await s.trigger("priority")).toBe("skipped-frozen");
    expect(lines.at(-1)).toBe(
      "warn scheduler: skipped priority: collector frozen since 2026-02-25T20:00:00.000Z (cutover)",
    );
    unfreeze(freezeFile);
    expect(await s.trigger("priority")).toBe("ran");
    expect(runs).toBe(1);
  });

  it("logs a failed job, clears its marker and keeps scheduling", async () => {
    const s = scheduler(async () => {
      throw new Error("X answered 401");
    });
    expect(await s.trigger("priority")).toBe("failed");
    expect(lines.at(-1)).toBe("error scheduler: priority failed: X answered 401");
    expect(listRunsInProgress({ dir: lockDir })).toEqual([]);
    // A job that throws before returning its promise.
    const sync = scheduler(() => {
      throw new Error("sync");
    });
    expect(await sync.trigger("priority")).toBe("failed");
    expect(sync.runningJobs()).toEqual([]);
  });

  it("fires on the cron line in its timezone and skips ticks that find the job running", async () => {
    vi.useFakeTimers();
    vi.setSystemTime(new Date("2026-02-25T20:05:00Z"));
    const gate = deferred();
    let runs = 0;
    const s = scheduler(async () => {
      runs++;
      await gate.promise;
    });
    s.start();
    expect(s.nextRuns()).toEqual([{ name: "priority", next: new Date("2026-02-25T20:10:00Z") }]);
    await vi.advanceTimersByTimeAsync(5 * 60_000);
    expect(runs).toBe(1);
    await vi.advanceTimersByTimeAsync(10 * 60_000);
    expect(runs).toBe(1);
    expect(lines.filter((l) => l.includes("still in progress"))).toHaveLength(1);
    gate.resolve();
    await s.idle();
    await vi.advanceTimersByTimeAsync(10 * 60_000);
    expect(runs).toBe(2);
    s.stop();
    await vi.advanceTimersByTimeAsync(60 * 60_000);
    expect(runs).toBe(2);
  });

  it("runs the daily reconcile at 05:10 New York time", () => {
    vi.useFakeTimers();
    vi.setSystemTime(new Date("2026-02-25T12:00:00Z"));
    const s = createScheduler({
      jobs: [{ name: "reconcile", cron: DEFAULT_SCHEDULE.reconcile, run: async () => undefined }],
      freezeFile,
      runLock: new RunLock({ dir: lockDir }),
      log,
    });
    // 05:10 EST is 10:10 UTC; the next one after 12:00 UTC is tomorrow's.
    expect(s.nextRuns()[0]!.next).toEqual(new Date("2026-02-26T10:10:00Z"));
  });

  it("refuses bad cron lines, timezones, duplicate and unknown jobs", async () => {
    expect(() => validateSchedule({ name: "priority", cron: "every ten minutes" })).toThrow(
      /job priority: invalid cron line "every ten minutes"/,
    );
    expect(() => validateSchedule({ name: "priority", cron: "* * * * *", timezone: "Mars/Olympus" })).toThrow(
      /unknown timezone "Mars\/Olympus"/,
    );
    const job = { name: "a", cron: "* * * * *", run: async () => undefined };
    expect(() => createScheduler({ jobs: [job, job], freezeFile, log })).toThrow(/scheduled twice/);
    await expect(scheduler(async () => undefined).trigger("nope")).rejects.toThrow(/no job named nope/);
  });
});

describe("run markers and waitUntilIdle", () => {
  it("lists the runs of every process sharing the directory", () => {
    const a = new RunLock({ dir: lockDir, clock: () => new Date("2026-02-25T20:00:00Z") });
    const releaseA = a.begin("priority", "run 1");
    const releaseB = new RunLock({
      dir: lockDir,
      pid: process.ppid,
      clock: () => new Date("2026-02-25T20:01:00Z"),
    }).begin("discovery");
    expect(listRunsInProgress({ dir: lockDir }).map((r) => [r.job, r.detail, r.pid])).toEqual(
      [
        ["priority", "run 1", process.pid],
        ["discovery", null, process.ppid],
      ].sort((x, y) => `${x[2]}`.localeCompare(`${y[2]}`)),
    );
    releaseA();
    releaseA();
    releaseB();
    expect(listRunsInProgress({ dir: lockDir })).toEqual([]);
  });

  it("removes markers of processes on this host that no longer exist", () => {
    new RunLock({ dir: lockDir, pid: 999_999_999 }).begin("priority");
    expect(listRunsInProgress({ dir: lockDir })).toEqual([]);
    new RunLock({ dir: lockDir, pid: 999_999_999, host: "other-host" }).begin("priority");
    expect(listRunsInProgress({ dir: lockDir }).map((r) => r.host)).toEqual(["other-host"]);
  });

  it("waits until the runs end, or names what still runs at the timeout", async () => {
    let now = 0;
    const sleep = async (ms: number) => {
      now += ms;
      if (now >= 1500) release();
    };
    const release = new RunLock({ dir: lockDir, clock: () => new Date("2026-02-25T20:00:00Z") }).begin(
      "discovery",
      "run 7",
    );
    await expect(waitUntilIdle(5000, { dir: lockDir, pollMs: 500, sleep, now: () => now })).resolves.toBeUndefined();
    expect(now).toBe(1500);

    now = 0;
    new RunLock({ dir: lockDir, clock: () => new Date("2026-02-25T20:00:00Z") }).begin("priority");
    const error = await waitUntilIdle(2000, {
      dir: lockDir,
      pollMs: 500,
      sleep: async (ms) => void (now += ms),
      now: () => now,
    }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(IdleTimeoutError);
    expect((error as Error).message).toMatch(
      new RegExp(`^still running after 2 s: priority in pid ${process.pid} on .+, since 2026-02-25T20:00:00.000Z$`),
    );
    expect(now).toBe(2000);
  });

  it("shows a scheduler's run while it is in progress", async () => {
    const gate = deferred();
    const s = scheduler(() => gate.promise);
    const done = s.trigger("priority");
    expect(listRunsInProgress({ dir: lockDir }).map((r) => r.job)).toEqual(["priority"]);
    gate.resolve();
    await done;
    await expect(waitUntilIdle(0, { dir: lockDir })).resolves.toBeUndefined();
  });
});
