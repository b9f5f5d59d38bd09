import type { Prisma } from "~/generated/prisma/client";

/** The columns every run list shows (overview, /runs, a post's runs). */
export const recentRunSelect = {
  runId: true,
  collector: true,
  mode: true,
  runAt: true,
  finishedAt: true,
  status: true,
  fetchedCount: true,
  newCount: true,
  error: true,
} as const satisfies Prisma.PipelineRunSelect;
