// Inputs of the read procedures, shared by the routers, the REST adapters
// and the console's filter forms.
import { z } from "zod";
import { collectorName, isoTime, runMode, statusId, text } from "./primitives";

export const MIN_SEARCH_TEXT = 3;

export const postLookupSchema = z.object({ statusId });

export const postListSchema = z.object({
  author: text({ max: 64 }).optional(),
  mode: runMode.optional(),
  since: isoTime.optional(),
  until: isoTime.optional(),
  /** Searched in post bodies, literally (% and _ are plain characters); 3 characters at least, or it matches everything slowly. */
  text: text({ max: 200 })
    .refine((s) => s.trim().length >= MIN_SEARCH_TEXT, `search text must be at least ${MIN_SEARCH_TEXT} characters`)
    .optional(),
  minScore: z.number().min(0).max(1).optional(),
  cursor: statusId.optional(),
  limit: z.number().int().min(1).max(200).default(50),
});

export const runStatusSchema = z.enum(["running", "success", "failed"]);

export const runListSchema = z.object({
  mode: runMode.optional(),
  status: runStatusSchema.optional(),
  collector: text({ max: 100 }).optional(),
  /** One run id, every collector's run of that id (a run id is unique per collector only). */
  runId: text({ min: 1, max: 128 }).optional(),
  from: isoTime.optional(),
  to: isoTime.optional(),
  cursor: text({ max: 300 }).optional(),
  limit: z.number().int().min(1).max(200).default(50),
});

/** A run id is unique per collector; without a collector the id must name one run. */
export const runByIdSchema = z.object({ runId: text({ min: 1, max: 128 }), collector: collectorName.optional() });

export const apiKeyCreateSchema = z.object({
  name: text({ min: 1, max: 100 }),
  role: z.enum(["admin", "ingest", "reader"]),
  /** Binds an ingest key to one collector (docs/security.md). */
  collector: collectorName.optional(),
});
export const apiKeyRevokeSchema = z.object({
  prefix: z.string().regex(/^xmk_[a-z0-9]{10}$/, "must be a key prefix like xmk_0123456789"),
});

export const healthTimelineSchema = z.object({ hours: z.number().int().min(6).max(168).default(48) });

export const cutoverListSchema = z.object({ limit: z.number().int().min(1).max(200).default(50) });
export const cutoverByIdSchema = z.object({ id: z.uuid() });

export const runRemovalSchema = z.object({
  runId: text({ min: 1, max: 128 }),
  collector: collectorName.optional(),
  reason: text({ min: 3, max: 500 }),
});
export const removalListSchema = z.object({ limit: z.number().int().min(1).max(200).default(20) });
