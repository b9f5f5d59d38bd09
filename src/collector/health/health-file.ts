// Per-mode ingest health in a small JSON file (default data/ingest_health.json)
// that survives restarts, so "N failures in a row" counts across runs and
// processes. Writes go through a temporary file and a rename: an operator or
// a monitoring script may read the file at any moment.
import { randomUUID } from "node:crypto";
import { existsSync, readFileSync } from "node:fs";
import { z } from "zod";
import { writeJsonAtomic } from "../util/atomic-file";
import { systemClock, toIsoMs, type Clock } from "../util/time";

export const DEFAULT_HEALTH_FILE = "data/ingest_health.json";

const modeHealthSchema = z.object({
  consecutive_failures: z.number().int().min(0),
  last_success_at: z.string().nullable(),
  last_failure_at: z.string().nullable(),
  last_error: z.string().nullable(),
  // Set when a run starts, cleared by a successful ingest: a value left
  // behind means a run committed rows locally that no push has confirmed
  // (the process was killed, or ran without ingest), and the next push must
  // reach back to it. Absent in files written before it existed.
  pending_since: z.string().nullable().default(null),
  // Failed cycles the server has not been told about yet (it was not
  // reachable), oldest first: sent one report each, by cycle id, once it is.
  // Null in files written before it existed (see unreportedOf).
  unreported: z
    .array(
      z.object({
        cycle_id: z.string(),
        at: z.string(),
        error: z.string(),
        attempts: z.number().int().min(1),
        consecutive: z.number().int().min(1),
      }),
    )
    .nullable()
    .default(null),
});
const healthFileSchema = z.record(z.string(), modeHealthSchema);

export type ModeHealth = z.infer<typeof modeHealthSchema>;
export type UnreportedFailure = NonNullable<ModeHealth["unreported"]>[number];

/**
 * The failed cycles the server has not been told about. A file from before
 * they were kept one by one has only its streak: that streak is one report,
 * placed at its length.
 */
export function unreportedOf(mode: string, health: ModeHealth): UnreportedFailure[] {
  if (health.unreported) return health.unreported;
  if (health.consecutive_failures === 0 || !health.last_failure_at) return [];
  const at = health.last_failure_at;
  return [
    {
      cycle_id: `${mode}:${at}:streak`,
      at,
      error: health.last_error ?? "ingest failed",
      attempts: 1,
      consecutive: health.consecutive_failures,
    },
  ];
}

/** Kept per mode at most; an outage longer than this many cycles reports its latest ones. */
const MAX_UNREPORTED = 500;

export type FailureOutcome = {
  consecutiveFailures: number;
  /** At or above the threshold: the mode is in alert. */
  thresholdReached: boolean;
  /** This failure is the one that reached it (for notifications sent once). */
  newlyReached: boolean;
  /** The ALERT line to log, when the threshold is reached. */
  alertLine: string | undefined;
  /** The failed cycle as the server is told about it. */
  cycle: UnreportedFailure;
};

export type SuccessOutcome = {
  previousFailures: number;
  /** Set when failures were counted before this success. */
  resetLine: string | undefined;
};

const EMPTY: ModeHealth = {
  consecutive_failures: 0,
  last_success_at: null,
  last_failure_at: null,
  last_error: null,
  pending_since: null,
  unreported: [],
};

/** One line, bounded: error texts can hold stack traces or whole HTML pages. */
function oneLine(text: string, max = 500): string {
  const flat = text.replace(/\s+/g, " ").trim();
  return flat.length > max ? `${flat.slice(0, max - 1)}…` : flat;
}

export class IngestHealthStore {
  readonly file: string;
  readonly threshold: number;
  private readonly clock: Clock;

  constructor(options: { file?: string; threshold?: number; clock?: Clock } = {}) {
    this.file = options.file ?? DEFAULT_HEALTH_FILE;
    this.threshold = options.threshold ?? 2;
    if (!Number.isInteger(this.threshold) || this.threshold < 1)
      throw new RangeError(`alert threshold must be a positive integer, got ${this.threshold}`);
    this.clock = options.clock ?? systemClock;
  }

  /** Every mode's state; an absent file means no history yet. */
  read(): Record<string, ModeHealth> {
    if (!existsSync(this.file)) return {};
    let raw: unknown;
    try {
      raw = JSON.parse(readFileSync(this.file, "utf8"));
    } catch (error) {
      throw new Error(`cannot read ingest health file ${this.file}: ${(error as Error).message}`);
    }
    const parsed = healthFileSchema.safeParse(raw);
    if (!parsed.success)
      throw new Error(
        `ingest health file ${this.file} is not in the expected shape: ${parsed.error.issues[0]?.message ?? "invalid"} at ${parsed.error.issues[0]?.path.join(".")}`,
      );
    return parsed.data;
  }

  get(mode: string): ModeHealth {
    return this.read()[mode] ?? { ...EMPTY };
  }

  /** A run of this mode starts: its rows are unconfirmed until an ingest succeeds. Keeps an earlier mark. */
  markPending(mode: string, sinceIso: string): void {
    const all = this.read();
    const previous = all[mode] ?? EMPTY;
    if (previous.pending_since !== null && Date.parse(previous.pending_since) <= Date.parse(sinceIso)) return;
    writeJsonAtomic(this.file, { ...all, [mode]: { ...previous, pending_since: toIsoMs(sinceIso) } });
  }

  /** `attempts`: the calls the failed cycle made (default 1). */
  recordFailure(mode: string, error: unknown, attempts = 1): FailureOutcome {
    const all = this.read();
    const previous = all[mode] ?? EMPTY;
    const message = oneLine(error instanceof Error ? error.message : String(error));
    const at = toIsoMs(this.clock());
    const n = previous.consecutive_failures + 1;
    const cycle: UnreportedFailure = {
      cycle_id: `${mode}:${at}:${randomUUID().slice(0, 8)}`,
      at,
      error: message,
      attempts: Math.max(1, attempts),
      consecutive: n,
    };
    const next: ModeHealth = {
      ...previous,
      consecutive_failures: n,
      last_failure_at: at,
      last_error: message,
      unreported: [...unreportedOf(mode, previous), cycle].slice(-MAX_UNREPORTED),
    };
    writeJsonAtomic(this.file, { ...all, [mode]: next });
    const reached = n >= this.threshold;
    return {
      cycle,
      consecutiveFailures: n,
      thresholdReached: reached,
      newlyReached: n === this.threshold,
      alertLine: reached
        ? `ALERT: ingest failures threshold reached mode=${mode} consecutive_failures=${n} threshold=${this.threshold} last_error=${message}`
        : undefined,
    };
  }

  /** The server has these failed cycles: they are not sent again. */
  markReported(mode: string, cycleIds: readonly string[]): void {
    if (cycleIds.length === 0) return;
    const all = this.read();
    const previous = all[mode] ?? EMPTY;
    const unreported = unreportedOf(mode, previous).filter((f) => !cycleIds.includes(f.cycle_id));
    writeJsonAtomic(this.file, { ...all, [mode]: { ...previous, unreported } });
  }

  recordSuccess(mode: string): SuccessOutcome {
    const all = this.read();
    const previous = all[mode] ?? EMPTY;
    const next: ModeHealth = {
      ...previous,
      consecutive_failures: 0,
      last_success_at: toIsoMs(this.clock()),
      pending_since: null,
    };
    writeJsonAtomic(this.file, { ...all, [mode]: next });
    const n = previous.consecutive_failures;
    return {
      previousFailures: n,
      resetLine:
        n > 0
          ? `RECOVERED: ingest failures reset mode=${mode} previous_consecutive_failures=${n} threshold=${this.threshold}`
          : undefined,
    };
  }
}
