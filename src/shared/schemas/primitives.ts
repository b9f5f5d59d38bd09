// Building blocks for payload schemas. Strings refuse what PostgreSQL would
// refuse later (NUL bytes, lone UTF-16 surrogates), so a bad item becomes a
// clear per-item reject instead of a failed transaction.
import { z } from "zod";

export function text(options: { min?: number; max: number }) {
  return z
    .string()
    .min(options.min ?? 0)
    .max(options.max)
    .refine((s) => !s.includes("\u0000"), "must not contain NUL bytes")
    .refine((s) => s.isWellFormed(), "must be valid Unicode (lone surrogate found)");
}

export const statusId = z.string().regex(/^[0-9]{1,20}$/, "must be an X status id (1 to 20 decimal digits)");
export const userId = z.string().regex(/^[0-9]{1,20}$/, "must be an X user id (decimal digits)");

const ISO_UTC = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,6})?(Z|[+-]\d{2}:\d{2})$/;
export const MIN_TIME = Date.parse("2006-01-01T00:00:00Z");
export const MAX_TIME = Date.parse("2100-01-01T00:00:00Z");

/** Calendar fields in range: JavaScript would roll 2026-02-30 over to March, PostgreSQL refuses it. */
function realCalendarTime(s: string): boolean {
  const m = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.\d+)?(?:Z|[+-](\d{2}):(\d{2}))$/.exec(s);
  if (!m) return false;
  const [year, month, day, hour, minute, second] = m.slice(1, 7).map(Number) as [
    number,
    number,
    number,
    number,
    number,
    number,
  ];
  const daysInMonth = new Date(Date.UTC(year, month, 0)).getUTCDate();
  const offsetOk = m[7] === undefined || (Number(m[7]) <= 14 && Number(m[8]) <= 59);
  return (
    month >= 1 &&
    month <= 12 &&
    day >= 1 &&
    day <= daysInMonth &&
    hour <= 23 &&
    minute <= 59 &&
    second <= 59 &&
    offsetOk
  );
}

/** ISO-8601 with a zone ("2026-02-25T19:39:12Z", optionally with fraction). */
export const isoTime = z
  .string()
  .regex(ISO_UTC, "must be an ISO-8601 time with a zone, e.g. 2026-02-25T19:39:12Z")
  .refine(realCalendarTime, "must be a real calendar time (month 1-12, day within the month, hour 0-23)")
  .refine((s) => {
    const t = Date.parse(s);
    return Number.isFinite(t) && t >= MIN_TIME && t < MAX_TIME;
  }, "must be a real time between 2006 and 2100");

/** SQLite stores booleans as 0/1; accept those as well as true/false. */
export const flag = z.union([z.boolean(), z.literal(0), z.literal(1)]).transform((v) => v === true || v === 1);

export const count = z.number().int().min(0).max(2_147_483_647);
export const bigCount = z.number().int().min(0).max(Number.MAX_SAFE_INTEGER);

/** The format of a mode stored in rows (free text in older SQLite files): for items and filters. */
export const runMode = text({ min: 1, max: 32 }).regex(
  /^[a-z0-9-]+$/,
  "must be lowercase letters, digits and dashes (e.g. priority)",
);

/**
 * The modes a collector pushes and reports under: its scheduled runs, the
 * 24-hour refresh, hand-started runs, `catch-up` and a cutover's `import`
 * batches. Anything else would add a fake row to the console's overview.
 */
export const collectorModes = ["priority", "discovery", "refresh-24h", "manual", "catch-up", "cutover"] as const;
export type CollectorMode = (typeof collectorModes)[number];
export const collectorMode = z.enum(collectorModes, { error: `must be one of ${collectorModes.join(", ")}` });

/** A collector's name, as batches, reports, cutovers and bound keys carry it. */
export const collectorName = text({ min: 1, max: 100 });
