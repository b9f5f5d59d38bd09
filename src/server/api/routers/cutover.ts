import {
  cutoverStartSchema,
  cutoverStepRecordSchema,
  keysPageSchema,
  rowsByKeysSchema,
} from "~/shared/schemas/cutover";
import { cutoverByIdSchema, cutoverListSchema } from "~/shared/schemas/queries";
import { collectorReadProcedure, createTRPCRouter, ingestProcedure, readerProcedure } from "../trpc";
import { getCutoverRun, listCutoverRuns, recordCutoverStep, startCutoverRun } from "../../cutover/cutover-runs";
import { keysPage } from "../../cutover/keys-page";
import { rowsByKeys } from "../../cutover/rows-by-keys";

export const cutoverRouter = createTRPCRouter({
  start: ingestProcedure
    .input(cutoverStartSchema)
    .mutation(({ ctx, input }) => startCutoverRun(ctx.db, { input, principal: ctx.principal })),
  recordStep: ingestProcedure
    .input(cutoverStepRecordSchema)
    .mutation(({ ctx, input }) => recordCutoverStep(ctx.db, { input, principal: ctx.principal })),
  list: readerProcedure.input(cutoverListSchema).query(({ ctx, input }) => listCutoverRuns(ctx.db, input)),
  byId: readerProcedure.input(cutoverByIdSchema).query(({ ctx, input }) => getCutoverRun(ctx.db, input.id)),
  /** Stored rows by natural key, in the ingest item shape, for spot checks. */
  rowsByKeys: collectorReadProcedure
    .meta({ cost: 5 })
    .input(rowsByKeysSchema)
    .query(({ ctx, input }) => rowsByKeys(ctx.db, input)),
  /** A table's keys in pages (validate names the rows the server holds that the snapshot lacks). */
  keysPage: collectorReadProcedure
    .meta({ cost: 5 })
    .input(keysPageSchema)
    .query(({ ctx, input }) => keysPage(ctx.db, input)),
});
