// The units `collector schedule --print` writes: content checks (the
// machine's own checkers, systemd-analyze and plutil, are not assumed here).
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { Cron } from "croner";
import { afterAll, describe, expect, it } from "vitest";
import { parseCollectorEnv } from "../config";
import { createMemoryLog } from "../log";
import { CLI_PATH, scheduleUnitsCommand } from "../commands/schedule-units";
import { calendarIntervals, expandCron, onCalendar } from "./units";

const dir = mkdtempSync(path.join(tmpdir(), "xm-units-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const home = path.join(dir, "home");
const config = parseCollectorEnv({ XMONITOR_HOME: home, XMONITOR_CRON_REFRESH_24H: "40 4 * * *" });
const envFile = path.join(dir, "collector.env");
const JOBS = [
  ["priority", "run --mode priority"],
  ["discovery", "run --mode discovery"],
  ["refresh-24h", "run --mode refresh-24h"],
  ["reconcile", "reconcile"],
] as const;

function units(format: "launchd" | "systemd" | "cron") {
  const out = path.join(dir, format);
  const log = createMemoryLog();
  const result = scheduleUnitsCommand(config, { format, out, envFile, log });
  expect(result.exitCode, log.lines.join("\n")).toBe(0);
  return Object.fromEntries(readdirSync(out).map((f) => [f, readFileSync(path.join(out, f), "utf8")]));
}

describe("cron lines as units", () => {
  it("expands steps, ranges and lists; refuses what a unit cannot say", () => {
    expect(expandCron("*/10 * * * *")).toEqual([[0, 10, 20, 30, 40, 50], null, null, null, null]);
    expect(expandCron("10 5 * * 1-5")).toEqual([[10], [5], null, null, [1, 2, 3, 4, 5]]);
    expect(expandCron("0,30 8-18/5 1 */6 7")).toEqual([[0, 30], [8, 13, 18], [1], [1, 7], [0]]);
    expect(() => expandCron("@daily")).toThrow(/5-field cron lines/);
    expect(() => expandCron("61 * * * *")).toThrow(/minute 61 is out of 0-59/);
    expect(() => expandCron("0 0 L * *")).toThrow(/day of month field "L"/);
  });

  it("systemd OnCalendar and launchd intervals fire when croner fires (a week of minutes checked)", () => {
    for (const line of ["*/10 * * * *", "0 * * * *", "10 5 * * *", "40 4 * * *", "15 9-17/4 * * 1-5"]) {
      const intervals = calendarIntervals(line);
      const fires = (d: Date) =>
        intervals.some(
          (e) =>
            (e.Minute === undefined || e.Minute === d.getUTCMinutes()) &&
            (e.Hour === undefined || e.Hour === d.getUTCHours()) &&
            (e.Weekday === undefined || e.Weekday === d.getUTCDay()),
        );
      const cron = new Cron(line, { paused: true, timezone: "UTC" });
      const expected: string[] = [];
      let at = new Date("2026-03-01T23:59:59Z");
      for (;;) {
        const next = cron.nextRun(at)!;
        if (next >= new Date("2026-03-09T00:00:00Z")) break;
        expected.push(next.toISOString());
        at = next;
      }
      const seen: string[] = [];
      for (let t = Date.parse("2026-03-02T00:00:00Z"); t < Date.parse("2026-03-09T00:00:00Z"); t += 60_000)
        if (fires(new Date(t))) seen.push(new Date(t).toISOString());
      expect({ line, seen }).toEqual({ line, seen: expected });
    }
    expect(onCalendar("*/10 * * * *", "America/New_York")).toBe("*-*-* *:00,10,20,30,40,50:00 America/New_York");
    expect(onCalendar("15 9-17/4 * * 1-5", "UTC")).toBe("Mon,Tue,Wed,Thu,Fri *-*-* 09,13,17:15:00 UTC");
  });
});

describe("collector schedule --print", () => {
  it("systemd: a service and a timer per job, absolute node and CLI, env file, XMONITOR_HOME, a log per job", () => {
    const files = units("systemd");
    expect(Object.keys(files).sort()).toEqual(
      JOBS.flatMap(([job]) => [`xmonitor-${job}.service`, `xmonitor-${job}.timer`]).sort(),
    );
    for (const [job, args] of JOBS) {
      const service = files[`xmonitor-${job}.service`]!;
      expect(service).toContain(`\nExecStart=${process.execPath} ${CLI_PATH} ${args}\n`);
      expect(path.isAbsolute(process.execPath) && path.isAbsolute(CLI_PATH)).toBe(true);
      expect(service).toContain(`\nEnvironment=XMONITOR_HOME=${home}\n`);
      expect(service).toContain(`\nEnvironmentFile=${envFile}\n`);
      expect(service).toContain(`\nStandardOutput=append:${home}/logs/${job}.log\n`);
      expect(service).toContain("\nSuccessExitStatus=75\n");
      expect(files[`xmonitor-${job}.timer`]).toMatch(
        /\nOnCalendar=.+ America\/New_York\n[\s\S]*WantedBy=timers\.target/,
      );
    }
    expect(files["xmonitor-reconcile.timer"]).toContain("\nOnCalendar=*-*-* 05:10:00 America/New_York\n");
    expect(files["xmonitor-refresh-24h.timer"]).toContain("\nOnCalendar=*-*-* 04:40:00 America/New_York\n");
  });

  it("launchd: one agent per job with its calendar, arguments and logs", () => {
    const files = units("launchd");
    for (const [job, args] of JOBS) {
      const plist = files[`org.xmonitor.collector.${job}.plist`]!;
      expect(plist).toMatch(/^<\?xml version="1\.0" encoding="UTF-8"\?>\n<!DOCTYPE plist/);
      const strings = [...plist.matchAll(/<string>([^<]*)<\/string>/g)].map((m) => m[1]);
      expect(strings.slice(0, 4 + args.split(" ").length)).toEqual([
        `org.xmonitor.collector.${job}`,
        process.execPath,
        `--env-file=${envFile}`,
        CLI_PATH,
        ...args.split(" "),
      ]);
      expect(plist).toContain(`<key>XMONITOR_HOME</key><string>${home}</string>`);
      expect(plist).toContain(`<key>StandardOutPath</key><string>${home}/logs/${job}.log</string>`);
      for (const tag of ["dict", "array", "plist"])
        expect(plist.split(`<${tag}`).length, tag).toBe(plist.split(`</${tag}>`).length);
    }
    expect(files["org.xmonitor.collector.priority.plist"]!.match(/<key>Minute<\/key>/g)).toHaveLength(6);
    expect(files["org.xmonitor.collector.reconcile.plist"]).toContain(
      "<dict><key>Minute</key><integer>10</integer><key>Hour</key><integer>5</integer></dict>",
    );
  });

  it("cron: one line per job in XMONITOR_TIMEZONE, output appended to its log", () => {
    const tab = units("cron")["xmonitor.crontab"]!;
    expect(tab).toContain("\nCRON_TZ=America/New_York\n");
    expect(tab).toContain(`\nXMONITOR_HOME=${home}\n`);
    const lines = tab.split("\n").filter((l) => /^[\d*]/.test(l));
    expect(lines).toEqual(
      JOBS.map(
        ([job, args]) =>
          `${config[`XMONITOR_CRON_${job === "refresh-24h" ? "REFRESH_24H" : job.toUpperCase()}` as "XMONITOR_CRON_PRIORITY"]} ${process.execPath} --env-file=${envFile} ${CLI_PATH} ${args} >> ${home}/logs/${job}.log 2>&1`,
      ),
    );
  });

  it("a cron line no unit can express stops with one line naming the variables to change", () => {
    const log = createMemoryLog();
    const bad = parseCollectorEnv({ XMONITOR_HOME: home, XMONITOR_CRON_PRIORITY: "*/10 * * * * *" });
    expect(scheduleUnitsCommand(bad, { format: "systemd", log }).exitCode).toBe(1);
    expect(log.lines).toEqual([
      'schedule --print systemd: "*/10 * * * * *": units are written from 5-field cron lines (minute hour day month weekday); change XMONITOR_CRON_*',
    ]);
  });
});
