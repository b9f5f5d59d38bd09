// `collector schedule --print launchd|systemd|cron`: the collector's jobs as
// units of the machine's own scheduler, one per job (each a plain `collector
// run`/`reconcile`, which honours the freeze flag and the run lock), with the
// absolute node and CLI paths, the env file, XMONITOR_HOME and a log per job.
// The cron lines are the ones `collector schedule` uses (XMONITOR_CRON_*).

export type UnitFormat = "launchd" | "systemd" | "cron";
export const unitFormats: readonly UnitFormat[] = ["launchd", "systemd", "cron"];

export type UnitJob = { name: string; cron: string; args: string[] };
export type UnitSettings = {
  node: string;
  cli: string;
  envFile: string;
  home: string;
  logDir: string;
  timezone: string;
  jobs: readonly UnitJob[];
};
export type UnitFile = { file: string; content: string };

/** Exit code of a run refused while frozen (freeze.ts): the units count it as success. */
const FROZEN_EXIT = 75;
const MAX_LAUNCHD_INTERVALS = 500;

type Field = { name: string; min: number; max: number };
const FIELDS: Field[] = [
  { name: "minute", min: 0, max: 59 },
  { name: "hour", min: 0, max: 23 },
  { name: "day of month", min: 1, max: 31 },
  { name: "month", min: 1, max: 12 },
  { name: "day of week", min: 0, max: 7 },
];

/** Each of a 5-field cron line's fields: null for "*", else its values (ranges, steps and lists expanded). */
export function expandCron(line: string): (number[] | null)[] {
  const parts = line.trim().split(/\s+/);
  if (parts.length !== 5)
    throw new RangeError(`"${line}": units are written from 5-field cron lines (minute hour day month weekday)`);
  return parts.map((part, i) => {
    const field = FIELDS[i]!;
    if (part === "*") return null;
    const values = new Set<number>();
    for (const item of part.split(",")) {
      const m = /^(\*|\d+(?:-\d+)?)(?:\/(\d+))?$/.exec(item);
      if (!m) throw new RangeError(`"${line}": cannot write the ${field.name} field "${part}" as a unit`);
      const [from, to] =
        m[1] === "*" ? [field.min, field.max] : m[1]!.includes("-") ? m[1]!.split("-").map(Number) : [Number(m[1])];
      const step = m[2] ? Number(m[2]) : 1;
      const end = to ?? (m[2] ? field.max : from!);
      for (let v = from!; v <= end; v += step) {
        if (v < field.min || v > field.max)
          throw new RangeError(`"${line}": ${field.name} ${v} is out of ${field.min}-${field.max}`);
        values.add(field.name === "day of week" && v === 7 ? 0 : v);
      }
    }
    return [...values].sort((a, b) => a - b);
  });
}

const pad = (n: number) => String(n).padStart(2, "0");
const DAYS = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"];

/** systemd's OnCalendar for a cron line, in the given time zone. */
export function onCalendar(line: string, timezone: string): string {
  const [minute, hour, day, month, weekday] = expandCron(line);
  const list = (values: number[] | null) => (values ? values.map(pad).join(",") : "*");
  const dow = weekday ? `${weekday.map((d) => DAYS[d]).join(",")} ` : "";
  return `${dow}*-${list(month!)}-${list(day!)} ${list(hour!)}:${list(minute!)}:00 ${timezone}`;
}

/** launchd's StartCalendarInterval entries (a missing key is "every"). */
export function calendarIntervals(line: string): Record<string, number>[] {
  const keys = ["Minute", "Hour", "Day", "Month", "Weekday"];
  let out: Record<string, number>[] = [{}];
  expandCron(line).forEach((values, i) => {
    if (!values) return;
    out = out.flatMap((entry) => values.map((v) => ({ ...entry, [keys[i]!]: v })));
  });
  if (out.length > MAX_LAUNCHD_INTERVALS)
    throw new RangeError(`"${line}" needs ${out.length} launchd intervals (at most ${MAX_LAUNCHD_INTERVALS})`);
  return out;
}

const shellQuote = (s: string) => (/^[\w@%+=:,./-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`);
const xml = (s: string) => s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
const logOf = (s: UnitSettings, job: UnitJob) => `${s.logDir}/${job.name}.log`;
const what = (job: UnitJob) => `xmonitor collector ${job.args.join(" ")}`;

function systemdUnits(s: UnitSettings): UnitFile[] {
  return s.jobs.flatMap((job) => [
    {
      file: `xmonitor-${job.name}.service`,
      content: `# Written by collector schedule --print systemd (cron line "${job.cron}").
[Unit]
Description=${what(job)}

[Service]
Type=oneshot
Environment=XMONITOR_HOME=${s.home}
EnvironmentFile=${s.envFile}
ExecStart=${[s.node, s.cli, ...job.args].join(" ")}
StandardOutput=append:${logOf(s, job)}
StandardError=append:${logOf(s, job)}
# ${FROZEN_EXIT}: refused while frozen (a cutover in progress), not a failure.
SuccessExitStatus=${FROZEN_EXIT}
`,
    },
    {
      file: `xmonitor-${job.name}.timer`,
      content: `[Unit]
Description=${what(job)} on "${job.cron}" (${s.timezone})

[Timer]
OnCalendar=${onCalendar(job.cron, s.timezone)}
Persistent=true

[Install]
WantedBy=timers.target
`,
    },
  ]);
}

function launchdUnits(s: UnitSettings): UnitFile[] {
  return s.jobs.map((job) => {
    const args = [s.node, `--env-file=${s.envFile}`, s.cli, ...job.args];
    const intervals = calendarIntervals(job.cron)
      .map(
        (entry) =>
          `    <dict>${Object.entries(entry)
            .map(([k, v]) => `<key>${k}</key><integer>${v}</integer>`)
            .join("")}</dict>`,
      )
      .join("\n");
    return {
      file: `org.xmonitor.collector.${job.name}.plist`,
      content: `<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE plist PUBLIC "-//Apple//DTD PLIST 1.0//EN" "http://www.apple.com/DTDs/PropertyList-1.0.dtd">
<!-- Written by collector schedule --print launchd: cron line "${xml(job.cron)}", in the Mac's own time zone (XMONITOR_TIMEZONE is ${xml(s.timezone)}). -->
<plist version="1.0">
<dict>
  <key>Label</key><string>org.xmonitor.collector.${job.name}</string>
  <key>ProgramArguments</key>
  <array>
${args.map((a) => `    <string>${xml(a)}</string>`).join("\n")}
  </array>
  <key>EnvironmentVariables</key>
  <dict><key>XMONITOR_HOME</key><string>${xml(s.home)}</string></dict>
  <key>StartCalendarInterval</key>
  <array>
${intervals}
  </array>
  <key>StandardOutPath</key><string>${xml(logOf(s, job))}</string>
  <key>StandardErrorPath</key><string>${xml(logOf(s, job))}</string>
</dict>
</plist>
`,
    };
  });
}

function crontab(s: UnitSettings): UnitFile[] {
  const lines = s.jobs.map((job) => {
    const command = [s.node, `--env-file=${s.envFile}`, s.cli, ...job.args].map(shellQuote).join(" ");
    // cron reads % as a line break: escaped.
    return `${job.cron} ${command} >> ${shellQuote(logOf(s, job))} 2>&1`.replace(/%/g, "\\%");
  });
  return [
    {
      file: "xmonitor.crontab",
      content: `# Written by collector schedule --print cron. Install: crontab -l | cat - xmonitor.crontab | crontab -
# Times are in ${s.timezone}: CRON_TZ is honoured by cronie; another cron uses the machine's zone.
CRON_TZ=${s.timezone}
XMONITOR_HOME=${s.home}
${lines.join("\n")}
`,
    },
  ];
}

export function renderUnits(format: UnitFormat, settings: UnitSettings): UnitFile[] {
  if (format === "systemd") return systemdUnits(settings);
  if (format === "launchd") return launchdUnits(settings);
  return crontab(settings);
}
