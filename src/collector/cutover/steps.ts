// The cutover's step machine: each step opens (or continues) the session,
// records itself running on the server, runs its work, then records
// succeeded or failed with its figures, and never throws; `all` runs the
// steps in order and stops at the first that fails. The step commands
// (commands/cutover*.ts) hold only the work's wording.
import path from "node:path";
import type { CollectorContext } from "../context";
import { CutoverSession, type CutoverStepName } from "./session";

export type CutoverOptions = {
  /** Where artifacts go (default: the live database's folder). */
  dataDir?: string;
  /** A name for a new cutover (default: the collector's name). */
  label?: string;
  operator?: string;
};

export type StepResult<T> = { exitCode: number; ok: boolean; message: string; value?: T };

/**
 * Exit code of a step stopped by Ctrl-C (SIGINT) after finishing and
 * recording the chunks in flight: 128 + SIGINT, as shells report it.
 */
export const EXIT_INTERRUPTED = 130;

const PROGRESS_INTERVAL_MS = 1000;

export function dataDirOf(ctx: CollectorContext, options: CutoverOptions): string {
  return path.resolve(options.dataDir ?? path.dirname(ctx.config.XMONITOR_DB_PATH));
}

export async function openSession(
  ctx: CollectorContext,
  options: CutoverOptions & { fresh?: boolean },
): Promise<CutoverSession> {
  return CutoverSession.open({
    dataDir: dataDirOf(ctx, options),
    api: ctx.api,
    log: ctx.log,
    collector: ctx.config.XMONITOR_COLLECTOR_NAME,
    now: ctx.now,
    ...(options.label ? { label: options.label } : {}),
    ...(options.operator ? { operator: options.operator } : {}),
    ...(options.fresh ? { fresh: true } : {}),
  });
}

export type StepOutcome<T> = {
  ok: boolean;
  message: string;
  figures: Record<string, unknown>;
  value: T;
  /** Stopped by Ctrl-C: recorded as failed, exit EXIT_INTERRUPTED, and the caller prints how to resume (one line). */
  interrupted?: boolean;
};

/** Runs one step: records it running, then succeeded or failed with its figures; never throws. */
export async function runStep<T>(
  ctx: CollectorContext,
  session: CutoverSession,
  step: CutoverStepName,
  work: (recordRunning: (pass?: number) => Promise<void>) => Promise<StepOutcome<T>>,
  options: { last?: boolean; deferRunning?: boolean } = {},
): Promise<StepResult<T>> {
  const startedAt = ctx.now().toISOString();
  // Import passes are numbered by the key's role, known only once the server answered.
  let pass: { pass: number } | Record<string, never> = {};
  const recordRunning = async (n?: number) => {
    pass = n ? { pass: n } : {};
    await session.record({ step, ...pass, status: "running", startedAt }, "running");
  };
  if (!options.deferRunning) await recordRunning();
  let outcome: StepOutcome<T>;
  try {
    outcome = await work(recordRunning);
  } catch (error) {
    const message = (error as Error).message;
    ctx.log.error(`cutover ${step} failed: ${message}`, { event: "step_failed", step });
    await session.record(
      {
        step,
        ...pass,
        status: "failed",
        startedAt,
        finishedAt: ctx.now().toISOString(),
        message: message.slice(0, 10_000),
        figures: {},
      },
      "failed",
    );
    return { exitCode: 1, ok: false, message };
  }
  const status = outcome.ok ? "succeeded" : "failed";
  if (!outcome.ok && !outcome.interrupted)
    ctx.log.error(`cutover ${step} failed: ${outcome.message}`, {
      event: "step_failed",
      step,
      figures: outcome.figures,
    });
  await session.record(
    {
      step,
      ...pass,
      status,
      startedAt,
      finishedAt: ctx.now().toISOString(),
      message: outcome.message.slice(0, 10_000),
      figures: outcome.figures,
    },
    outcome.ok ? (options.last ? "succeeded" : "running") : "failed",
  );
  const exitCode = outcome.ok ? 0 : outcome.interrupted ? EXIT_INTERRUPTED : 1;
  return { exitCode, ok: outcome.ok, message: outcome.message, value: outcome.value };
}

export function throttle(): (done: boolean) => boolean {
  let last = 0;
  return (done) => {
    const now = Date.now();
    if (!done && now - last < PROGRESS_INTERVAL_MS) return false;
    last = now;
    return true;
  };
}

/** Runs steps in order until one fails; returns it, or null when every step succeeded. */
export async function runStepsInOrder(
  steps: readonly (readonly [CutoverStepName, () => Promise<StepResult<unknown>>])[],
): Promise<{ step: CutoverStepName; result: StepResult<unknown> } | null> {
  for (const [step, run] of steps) {
    const result = await run();
    if (!result.ok) return { step, result };
  }
  return null;
}
