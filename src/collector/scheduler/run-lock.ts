// "Run in progress" markers, one file per collector process in a shared
// directory (default data/collector.running/), listing the jobs it is running.
// Cutover freezes the collector, then waits until no marker lists a run.
// A marker left by a process that died is removed when seen, if that process
// ran on this host (a pid from another host says nothing here).
import { readdirSync, readFileSync, rmSync } from "node:fs";
import { hostname } from "node:os";
import path from "node:path";
import { writeJsonAtomic } from "../util/atomic-file";
import { systemClock, toIsoMs, type Clock } from "../util/time";

export const DEFAULT_RUN_LOCK_DIR = "data/collector.running";

export type RunInProgress = { job: string; detail: string | null; started_at: string; pid: number; host: string };

type Marker = { pid: number; host: string; runs: { job: string; detail: string | null; started_at: string }[] };

export class RunLock {
  readonly file: string;
  private readonly runs = new Map<number, Marker["runs"][number]>();
  private nextId = 0;
  private readonly clock: Clock;
  private readonly pid: number;
  private readonly host: string;

  constructor(options: { dir?: string; clock?: Clock; pid?: number; host?: string } = {}) {
    this.pid = options.pid ?? process.pid;
    this.host = options.host ?? hostname();
    this.clock = options.clock ?? systemClock;
    this.file = path.join(options.dir ?? DEFAULT_RUN_LOCK_DIR, `${this.host}-${this.pid}.json`);
  }

  /** Marks `job` as running; call the returned function when it ends (in a finally). */
  begin(job: string, detail?: string): () => void {
    const id = this.nextId++;
    this.runs.set(id, { job, detail: detail ?? null, started_at: toIsoMs(this.clock()) });
    this.write();
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.runs.delete(id);
      this.write();
    };
  }

  /** This process's runs in progress. */
  active(): RunInProgress[] {
    return [...this.runs.values()].map((r) => ({ ...r, pid: this.pid, host: this.host }));
  }

  private write(): void {
    if (this.runs.size === 0) rmSync(this.file, { force: true });
    else writeJsonAtomic(this.file, { pid: this.pid, host: this.host, runs: [...this.runs.values()] } satisfies Marker);
  }
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: it exists but belongs to someone else.
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}

/** Runs in progress in every collector process sharing `dir`. */
export function listRunsInProgress(options: { dir?: string } = {}): RunInProgress[] {
  const dir = options.dir ?? DEFAULT_RUN_LOCK_DIR;
  let names: string[];
  try {
    names = readdirSync(dir).filter((n) => n.endsWith(".json"));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return [];
    throw error;
  }
  const here = hostname();
  const out: RunInProgress[] = [];
  for (const name of names.sort()) {
    const file = path.join(dir, name);
    let marker: Marker;
    try {
      marker = JSON.parse(readFileSync(file, "utf8")) as Marker;
    } catch (error) {
      // Removed between listing and reading: that process just finished.
      if ((error as NodeJS.ErrnoException).code === "ENOENT") continue;
      throw new Error(`cannot read run marker ${file}: ${(error as Error).message}`);
    }
    if (marker.host === here && !processAlive(marker.pid)) {
      rmSync(file, { force: true });
      continue;
    }
    for (const run of marker.runs ?? []) out.push({ ...run, pid: marker.pid, host: marker.host });
  }
  return out;
}

export class IdleTimeoutError extends Error {
  override name = "IdleTimeoutError";
  constructor(
    message: string,
    readonly running: RunInProgress[],
  ) {
    super(message);
  }
}

export function describeRun(run: RunInProgress): string {
  return `${run.job}${run.detail ? ` (${run.detail})` : ""} in pid ${run.pid} on ${run.host}, since ${run.started_at}`;
}

/**
 * Resolves once no collector process has a run in progress (of those `only`
 * keeps, default all); throws IdleTimeoutError naming them after `timeoutMs`.
 * `onWait` hears once which runs it waits for.
 */
export async function waitUntilIdle(
  timeoutMs: number,
  options: {
    dir?: string;
    pollMs?: number;
    sleep?: (ms: number) => Promise<void>;
    now?: () => number;
    only?: (run: RunInProgress) => boolean;
    onWait?: (running: RunInProgress[]) => void;
  } = {},
): Promise<void> {
  const now = options.now ?? Date.now;
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  const deadline = now() + timeoutMs;
  let told = false;
  for (;;) {
    const running = listRunsInProgress({ dir: options.dir }).filter(options.only ?? (() => true));
    if (running.length > 0 && !told) {
      told = true;
      options.onWait?.(running);
    }
    if (running.length === 0) return;
    const left = deadline - now();
    if (left <= 0) {
      throw new IdleTimeoutError(
        `still running after ${Math.round(timeoutMs / 1000)} s: ${running.map(describeRun).join("; ")}`,
        running,
      );
    }
    await sleep(Math.min(options.pollMs ?? 500, left));
  }
}
