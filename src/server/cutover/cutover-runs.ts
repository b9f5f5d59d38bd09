// The server's record of each cutover: who ran it, each step's status and
// figures, where its artifacts are. The cutover tool writes it as it goes;
// the console reads it.
import type { Prisma } from "~/generated/prisma/client";
import type { CutoverStart, CutoverStepRecord } from "~/shared/schemas/cutover";
import { assertMayActFor, assertMayChangeCutover } from "../auth/collector-binding";
import type { Principal } from "../auth/principal";
import type { Db } from "../db";
import { AppError } from "../errors";

/** Opens a cutover record, remembering the key that opened it. */
export async function startCutoverRun(db: Db, options: { input: CutoverStart; principal: Principal }) {
  const { input, principal } = options;
  assertMayActFor(principal, input.collector);
  return db.cutoverRun.create({
    data: {
      label: input.label,
      collector: input.collector,
      operator: input.operator,
      status: "running",
      startedAt: new Date(input.startedAt),
      apiKeyId: principal.apiKeyId,
    },
    select: { id: true },
  });
}

/** Step reports one cutover record keeps (each validate run adds one). */
export const MAX_STEP_ENTRIES = 100;

type StoredStep = { step?: string; pass?: number; startedAt?: string };

/**
 * The same report of a step: one entry per step name and pass, except
 * validate, which an operator runs again after a repair or a cleanup: each
 * run (by its start time) is its own entry, so every report is kept, in order.
 */
function sameEntry(stored: StoredStep, step: CutoverStepRecord["step"]): boolean {
  if (stored.step !== step.step || stored.pass !== step.pass) return false;
  return step.step !== "validate" || stored.startedAt === step.startedAt;
}

/** Adds or replaces one step (in place) and updates the run's status and artifacts. */
export async function recordCutoverStep(db: Db, options: { input: CutoverStepRecord; principal: Principal }) {
  const { input, principal } = options;
  return db.$transaction(async (tx) => {
    const run = await tx.cutoverRun.findUnique({ where: { id: input.cutoverId } });
    if (!run)
      throw new AppError("NOT_FOUND", `No cutover ${input.cutoverId}: start one first (collector cutover all).`);
    assertMayChangeCutover(principal, run);
    const steps = [...(run.steps as Prisma.JsonArray)];
    const entry = input.step as unknown as Prisma.JsonObject;
    const at = steps.findIndex((s) => sameEntry(s as StoredStep, input.step));
    if (at >= 0) steps[at] = entry;
    else if (steps.length >= MAX_STEP_ENTRIES)
      throw new AppError(
        "CONFLICT",
        `Cutover ${input.cutoverId} already holds ${steps.length} step reports: finish it (collector cutover restore) and start a new cutover for further checks.`,
      );
    else steps.push(entry);
    return tx.cutoverRun.update({
      where: { id: input.cutoverId },
      data: {
        steps,
        ...(input.status ? { status: input.status } : {}),
        // A resumed cutover (back to running) is not finished any more.
        ...(input.status ? { finishedAt: input.status === "running" ? null : new Date() } : {}),
        ...(input.artifacts
          ? { artifacts: { ...(run.artifacts as Prisma.JsonObject), ...input.artifacts } as Prisma.InputJsonValue }
          : {}),
      },
      select: { id: true, status: true },
    });
  });
}

export async function listCutoverRuns(db: Db, options: { limit: number }) {
  return db.cutoverRun.findMany({ orderBy: { startedAt: "desc" }, take: options.limit });
}

export async function getCutoverRun(db: Db, id: string) {
  const run = await db.cutoverRun.findUnique({ where: { id } });
  if (!run) throw new AppError("NOT_FOUND", `No cutover ${id}.`);
  return run;
}
