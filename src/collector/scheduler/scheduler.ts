// Cron scheduling of the collector's jobs (croner). Two rules on top of cron:
// a job never overlaps itself (a tick that finds the previous run still going
// is skipped and logged), and nothing starts while the freeze flag is set.
// Every run is marked in the run-lock directory so that cutover can wait for
// the collector to be idle.
import { Cron } from "croner";
import { isFrozen, DEFAULT_FREEZE_FILE } from "./freeze";
import { RunLock } from "./run-lock";
import { isKnownTimezone } from "./timezone";

export const DEFAULT_TIMEZONE = "America/New_York";
export const DEFAULT_SCHEDULE = {
  priority: "*/10 * * * *",
  discovery: "0 * * * *",
  reconcile: "10 5 * * *",
  /** Once a day: the metrics of the last 24 h of posts refreshed. */
  "refresh-24h": "40 4 * * *",
} as const;

export type ScheduledJob = { name: string; cron: string; run: () => Promise<void> };

export type SchedulerLog = { info(message: string): void; warn(message: string): void; error(message: string): void };

export type TriggerOutcome = "ran" | "failed" | "skipped-running" | "skipped-frozen";

export type SchedulerOptions = {
  jobs: readonly ScheduledJob[];
  timezone?: string;
  freezeFile?: string;
  runLock?: RunLock;
  log?: SchedulerLog;
};

/** Throws a message naming the job when its cron line or the timezone is not valid. */
export function validateSchedule(options: { name: string; cron: string; timezone?: string }): void {
  const timezone = options.timezone ?? DEFAULT_TIMEZONE;
  if (!isKnownTimezone(timezone))
    throw new RangeError(`unknown timezone "${timezone}" (use an IANA name such as America/New_York)`);
  validateCronLine(options.name, options.cron);
}

/** Throws a message naming the job when its cron line is not valid (a line's syntax does not depend on the zone). */
export function validateCronLine(name: string, cron: string): void {
  try {
    // Without a zone: croner would build a date formatter for one, loading ICU's data (timezone.ts).
    new Cron(cron, { paused: true, mode: "5-or-6-parts" }).stop();
  } catch (error) {
    throw new RangeError(`job ${name}: invalid cron line "${cron}": ${(error as Error).message}`);
  }
}

export class Scheduler {
  private readonly jobs: Map<string, ScheduledJob>;
  private readonly timezone: string;
  private readonly freezeFile: string;
  private readonly runLock: RunLock;
  private readonly log: SchedulerLog;
  private readonly running = new Map<string, { since: Date; done: Promise<TriggerOutcome> }>();
  private crons: Cron[] = [];

  constructor(options: SchedulerOptions) {
    this.timezone = options.timezone ?? DEFAULT_TIMEZONE;
    this.freezeFile = options.freezeFile ?? DEFAULT_FREEZE_FILE;
    this.runLock = options.runLock ?? new RunLock();
    this.log = options.log ?? { info: console.log, warn: console.warn, error: console.error };
    this.jobs = new Map();
    for (const job of options.jobs) {
      if (this.jobs.has(job.name)) throw new RangeError(`job ${job.name} is scheduled twice`);
      validateSchedule({ name: job.name, cron: job.cron, timezone: this.timezone });
      this.jobs.set(job.name, job);
    }
  }

  /** Starts the cron timers. */
  start(): void {
    if (this.crons.length) return;
    for (const job of this.jobs.values()) {
      this.crons.push(
        new Cron(job.cron, { name: `xmonitor:${job.name}`, timezone: this.timezone, mode: "5-or-6-parts" }, () => {
          void this.trigger(job.name);
        }),
      );
    }
    this.log.info(
      `scheduler: started (${this.timezone}): ${[...this.jobs.values()].map((j) => `${j.name} "${j.cron}"`).join(", ")}`,
    );
  }

  /** Stops the timers; runs in progress continue (see idle()). */
  stop(): void {
    for (const cron of this.crons) cron.stop();
    this.crons = [];
  }

  /** Resolves when no job of this scheduler is running. */
  async idle(): Promise<void> {
    while (this.running.size) await Promise.all([...this.running.values()].map((r) => r.done));
  }

  /** Names of the jobs running now. */
  runningJobs(): string[] {
    return [...this.running.keys()];
  }

  nextRuns(): { name: string; next: Date | null }[] {
    return [...this.jobs.values()].map((job) => ({
      name: job.name,
      next: new Cron(job.cron, { paused: true, timezone: this.timezone, mode: "5-or-6-parts" }).nextRun(),
    }));
  }

  /** Runs a job now unless frozen or already running: what a cron tick does. */
  async trigger(name: string): Promise<TriggerOutcome> {
    const job = this.jobs.get(name);
    if (!job) throw new RangeError(`no job named ${name} (known: ${[...this.jobs.keys()].join(", ")})`);
    const frozen = isFrozen(this.freezeFile);
    if (frozen) {
      this.log.warn(`scheduler: skipped ${name}: collector frozen since ${frozen.since} (${frozen.reason})`);
      return "skipped-frozen";
    }
    const current = this.running.get(name);
    if (current) {
      this.log.warn(
        `scheduler: skipped ${name}: the previous run, started ${current.since.toISOString()}, is still in progress`,
      );
      return "skipped-running";
    }
    // Registered before the job starts: a job that fails synchronously
    // finishes (and unregisters) inside execute().
    const entry = { since: new Date(), done: Promise.resolve<TriggerOutcome>("ran") };
    this.running.set(name, entry);
    entry.done = this.execute(job);
    return entry.done;
  }

  private async execute(job: ScheduledJob): Promise<TriggerOutcome> {
    let release: (() => void) | undefined;
    try {
      release = this.runLock.begin(job.name);
      await job.run();
      return "ran";
    } catch (error) {
      this.log.error(`scheduler: ${job.name} failed: ${error instanceof Error ? error.message : String(error)}`);
      return "failed";
    } finally {
      try {
        release?.();
      } catch (error) {
        this.log.error(`scheduler: cannot clear the run marker of ${job.name}: ${(error as Error).message}`);
      }
      this.running.delete(job.name);
    }
  }
}

export function createScheduler(options: SchedulerOptions): Scheduler {
  return new Scheduler(options);
}
