// The freeze flag (default data/collector.freeze): while it exists the
// scheduler starts no runs. Cutover sets it, waits until no run is in
// progress (run-lock.ts), moves the data, and removes it.
import { existsSync, readFileSync, rmSync } from "node:fs";
import { hostname, userInfo } from "node:os";
import { writeJsonAtomic } from "../util/atomic-file";
import type { CollectorLog } from "../log";
import { systemClock, toIsoMs, type Clock } from "../util/time";
import { RunLock } from "./run-lock";

export const DEFAULT_FREEZE_FILE = "data/collector.freeze";

/** `by` is who set it (user@host); flags written before it existed have none. */
export type FreezeState = { reason: string; since: string; by?: string };

/** Exit code of a command refused because the collector is frozen: "try again later" (EX_TEMPFAIL). */
export const FROZEN_EXIT_CODE = 75;

/** Sets the flag; freezing again keeps the original `since` and takes the new reason. */
export function freeze(options: { reason: string; file?: string; clock?: Clock }): FreezeState {
  const file = options.file ?? DEFAULT_FREEZE_FILE;
  const reason = options.reason.trim();
  if (reason === "") throw new RangeError("a freeze needs a reason (it is shown wherever runs are skipped)");
  const state: FreezeState = {
    reason,
    since: isFrozen(file)?.since ?? toIsoMs((options.clock ?? systemClock)()),
    by: `${userInfo().username}@${hostname()}`,
  };
  writeJsonAtomic(file, state);
  return state;
}

/** Removes the flag; false when it was not set. */
export function unfreeze(file: string = DEFAULT_FREEZE_FILE): boolean {
  if (!existsSync(file)) return false;
  rmSync(file, { force: true });
  return true;
}

/**
 * The freeze, or undefined when not frozen. A flag file that cannot be read
 * still counts as frozen: during a cutover, skipping a run is the safe mistake.
 */
export function isFrozen(file: string = DEFAULT_FREEZE_FILE): FreezeState | undefined {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    return { reason: `freeze file ${file} is unreadable (${(error as Error).message})`, since: "unknown" };
  }
  try {
    const value = JSON.parse(text) as Partial<FreezeState>;
    return {
      reason: typeof value.reason === "string" ? value.reason : "no reason given",
      since: typeof value.since === "string" ? value.since : "unknown",
      ...(typeof value.by === "string" ? { by: value.by } : {}),
    };
  } catch {
    return { reason: `freeze file ${file} is not JSON: ${text.trim().slice(0, 200)}`, since: "unknown" };
  }
}

/** One line for a command that will not write while frozen: who, since when, why, and how to go on. */
export function frozenRefusal(command: string, state: FreezeState): string {
  return (
    `${command} refused: the collector is frozen since ${state.since}${state.by ? ` by ${state.by}` : ""} (${state.reason}); ` +
    `nothing was collected or pushed. Run "collector unfreeze" (or "collector cutover restore") when that work is done.`
  );
}

/**
 * How every command that writes starts: its run marker goes up first, then
 * the freeze is checked. A cutover that freezes after this point waits for
 * the marker; one that froze before is seen here, and the command writes
 * nothing. Returns the release, or null (marker gone, refusal logged).
 */
export function beginUnlessFrozen(options: {
  lockDir: string;
  freezeFile: string;
  log: CollectorLog;
  job: string;
  detail?: string;
  /** How the refusal names the command, e.g. "run mode=priority". */
  label: string;
}): (() => void) | null {
  const release = new RunLock({ dir: options.lockDir }).begin(options.job, options.detail);
  const frozen = isFrozen(options.freezeFile);
  if (!frozen) return release;
  release();
  options.log.error(frozenRefusal(options.label, frozen), { event: "frozen", frozen });
  return null;
}
