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

/** Adds or replaces one step (by name) and updates the run's status and artifacts. */
export async function recordCutoverStep(db: Db, options: { input: CutoverStepRecord; principal: Principal }) {
  const { input, principal } = options;
  return db.$transaction(async (tx) => {
    const run = await tx.cutoverRun.findUnique({ where: { id: input.cutoverId } });
    if (!run)
      throw new AppError("NOT_FOUND", `No cutover ${input.cutoverId}: start one first (collector cutover all).`);
    assertMayChangeCutover(principal, run);
    const steps = (run.steps as Prisma.JsonArray).filter(
      (s) => (s as { step?: string }).step !== input.step.step || (s as { pass?: number }).pass !== input.step.pass,
    );
    steps.push(input.step as unknown as Prisma.JsonObject);
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
