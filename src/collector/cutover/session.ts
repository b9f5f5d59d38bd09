// One cutover across separate invocations: a small local state file (the
// server's cutover id, label, artifact paths) so `collector cutover <step>`
// run one step at a time finds what the previous step made, and the server's
// cutover_runs record, written as each step starts and ends.
import { existsSync, readFileSync } from "node:fs";
import { userInfo } from "node:os";
import path from "node:path";
import type { cutoverStepNames } from "~/shared/schemas/cutover";
import type { CollectorLog } from "../log";
import type { CutoverStepRecordInput, ServerClient } from "../uplink/server-client";
import { writeJsonAtomic } from "../util/atomic-file";
import { cutoverStamp, stateFilePath } from "./paths";

export type CutoverStepName = (typeof cutoverStepNames)[number];
export type StepStatus = "running" | "succeeded" | "failed" | "skipped";

export type CutoverState = {
  cutoverId: string;
  label: string;
  operator: string;
  collector: string;
  startedAt: string;
  /** The cutover's own stamp (YYYYMMDD_HHMMSS, UTC): every artifact's name carries it. */
  stamp?: string;
  finished: boolean;
  snapshot?: string;
  exportDir?: string;
  rejectLogs: string[];
  /** The latest validate report. */
  validateReport?: string;
  /** Every validate report of this cutover, oldest first. */
  validateReports?: string[];
  /** Rows removed on the server during this cutover (collector runs remove): the next validate is a post-cleanup one. */
  cleanups?: { runId: string; at: string }[];
  steps: Record<string, StepStatus>;
};

/** The cutover's stamp (state files written before it was kept: from the start time). */
export function stampOf(state: CutoverState): string {
  return state.stamp ?? cutoverStamp(new Date(state.startedAt));
}

/** Notes a removal in the cutover in progress in `dataDir`, if any; true when there was one. */
export function noteCleanup(dataDir: string, cleanup: { runId: string; at: string }): boolean {
  const file = stateFilePath(dataDir);
  if (!existsSync(file)) return false;
  const state = JSON.parse(readFileSync(file, "utf8")) as CutoverState;
  if (state.finished) return false;
  state.cleanups = [...(state.cleanups ?? []), cleanup];
  writeJsonAtomic(file, state);
  return true;
}

export function defaultOperator(): string {
  try {
    return userInfo().username || "unknown";
  } catch {
    return process.env.USER ?? "unknown";
  }
}

export class CutoverSession {
  private constructor(
    readonly dataDir: string,
    readonly state: CutoverState,
    private readonly api: ServerClient,
    private readonly log: CollectorLog,
  ) {}

  get file(): string {
    return stateFilePath(this.dataDir);
  }

  /**
   * The cutover in progress in `dataDir`, or a new one (started on the
   * server) when there is none, it finished, or `fresh` is asked.
   */
  static async open(options: {
    dataDir: string;
    api: ServerClient;
    log: CollectorLog;
    collector: string;
    now: () => Date;
    label?: string;
    operator?: string;
    fresh?: boolean;
  }): Promise<CutoverSession> {
    const file = stateFilePath(options.dataDir);
    if (!options.fresh && existsSync(file)) {
      const state = JSON.parse(readFileSync(file, "utf8")) as CutoverState;
      if (!state.finished) return new CutoverSession(options.dataDir, state, options.api, options.log);
    }
    const startedAt = options.now().toISOString();
    const label = options.label ?? options.collector;
    const operator = options.operator ?? defaultOperator();
    let id: string;
    try {
      ({ id } = await options.api.cutoverStart({ label, collector: options.collector, operator, startedAt }));
    } catch (error) {
      throw new Error(`cannot open the cutover record on the server: ${(error as Error).message}`);
    }
    const state: CutoverState = {
      cutoverId: id,
      label,
      operator,
      collector: options.collector,
      startedAt,
      stamp: cutoverStamp(new Date(startedAt)),
      finished: false,
      rejectLogs: [],
      steps: {},
    };
    const session = new CutoverSession(options.dataDir, state, options.api, options.log);
    session.save();
    options.log.info(`cutover ${label} started: record ${id} on the server (operator ${operator})`, {
      event: "cutover_started",
      cutoverId: id,
      label,
    });
    return session;
  }

  save(): void {
    writeJsonAtomic(this.file, this.state);
  }

  artifacts(): Record<string, unknown> {
    const s = this.state;
    return {
      stateFile: path.resolve(this.file),
      ...(s.snapshot ? { snapshot: s.snapshot } : {}),
      ...(s.exportDir ? { exportDir: s.exportDir } : {}),
      rejectLogs: s.rejectLogs,
      ...(s.validateReport ? { validateReport: s.validateReport } : {}),
      ...(s.validateReports?.length ? { validateReports: s.validateReports } : {}),
    };
  }

  /** Records one step on the server; a failure to record is a warning, never the step's failure. */
  async record(step: CutoverStepRecordInput["step"], overall?: "running" | "succeeded" | "failed"): Promise<void> {
    this.state.steps[step.pass ? `${step.step}#${step.pass}` : step.step] = step.status;
    if (overall === "succeeded" || overall === "failed") this.state.finished = overall === "succeeded";
    this.save();
    try {
      await this.api.cutoverRecordStep({
        cutoverId: this.state.cutoverId,
        step,
        ...(overall ? { status: overall } : {}),
        artifacts: this.artifacts(),
      });
    } catch (error) {
      this.log.warn(
        `cutover ${step.step}: could not record the step on the server (${(error as Error).message}); the local record is ${this.file}`,
      );
    }
  }
}
