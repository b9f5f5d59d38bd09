// Building blocks for payload schemas. Strings refuse what PostgreSQL would
// refuse later (NUL bytes, lone UTF-16 surrogates), so a bad item becomes a
// clear per-item reject instead of a failed transaction.
import { z } from "zod";
import { daysFromCivil } from "../civil-days";

/** Text PostgreSQL can store; `max` only where a request input needs a bound of its own. */
export function text(options: { min?: number; max?: number } = {}) {
  const base = z.string().min(options.min ?? 0);
  return (options.max === undefined ? base : base.max(options.max))
    .refine((s) => !s.includes("\u0000"), "must not contain NUL bytes")
    .refine((s) => s.isWellFormed(), "must be valid Unicode (lone surrogate found)");
}

/**
 * The longest value, in UTF-8 bytes, of a column with a B-tree or GIN index:
 * PostgreSQL refuses an index entry over about 2,700 bytes.
 */
export const MAX_INDEXED_BYTES = 2000;

/** UTF-8 length, without encoding when the UTF-16 length already settles it (at most 3 bytes per unit). */
function utf8Bytes(s: string): number {
  if (s.length * 3 <= MAX_INDEXED_BYTES) return s.length;
  let bytes = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    bytes += c < 0x80 ? 1 : c < 0x800 ? 2 : c >= 0xd800 && c <= 0xdbff ? (i++, 4) : 3;
  }
  return bytes;
}

/** Text in a column PostgreSQL indexes. */
export const indexedText = text().refine(
  (s) => utf8Bytes(s) <= MAX_INDEXED_BYTES,
  `must be at most ${MAX_INDEXED_BYTES} bytes in UTF-8: PostgreSQL's index on this column cannot hold a longer value`,
);

/** A table's natural key as items and look-ups carry it (cutover.rowsByKeys checks keys against it). */
export const naturalKey = text({ min: 1, max: 256 });

export const statusId = z.string().regex(/^[0-9]{1,20}$/, "must be an X status id (1 to 20 decimal digits)");

const ISO_UTC = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,6})?(Z|[+-]\d{2}:\d{2})$/;
export const MIN_TIME = Date.parse("2006-01-01T00:00:00Z");
export const MAX_TIME = Date.parse("2100-01-01T00:00:00Z");

/** Calendar fields in range: JavaScript would roll 2026-02-30 over to March, PostgreSQL refuses it. */
function realCalendarTime(s: string): boolean {
  const read = readTime(s);
  return read ? read.real : realCalendarTimeByPattern(s);
}

/** realCalendarTime for what readTime does not read (it then fails ISO_UTC too, but zod runs every check). */
function realCalendarTimeByPattern(s: string): boolean {
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

/**
 * Milliseconds since 1970 as Date.parse reads the text (a real calendar time: Date.parse would roll 02-30 over), or NaN.
 * Also the collector's row hash reads its stored times with it (src/collector/deep/row-hash.ts).
 */
export function isoTimeMs(s: string): number {
  const read = readTime(s);
  return read?.real ? read.ms : Date.parse(s);
}

const isDigit = (c: number) => c >= 48 && c <= 57;
const num = (s: string, at: number, digits: number) => {
  let value = 0;
  for (let i = at; i < at + digits; i++) value = value * 10 + s.charCodeAt(i) - 48;
  return value;
};
/** Days per month, February of a common year; Date.UTC counts the years 0-99 as 1900-1999. */
const MONTH_DAYS = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];
function daysInMonth(year: number, month: number): number {
  const y = year < 100 ? 1900 + year : year;
  const leap = (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0;
  return month === 2 && leap ? 29 : MONTH_DAYS[month - 1]!;
}
const TIME_DIGITS = [0, 1, 2, 3, 5, 6, 8, 9, 11, 12, 14, 15, 17, 18];
const TIME_MARKS: [number, number][] = [
  [4, 45 /* - */],
  [7, 45 /* - */],
  [10, 84 /* T */],
  [13, 58 /* : */],
  [16, 58 /* : */],
];

/**
 * A time in realCalendarTimeByPattern's shape read by position, in one pass
 * with no regular expression, Date or array: whether its fields are a real
 * calendar time and, if so, its milliseconds (fraction digits past the third
 * cut off, as Date.parse does). Null for any other text. The times of every
 * item go through here (decisions/018 on why by position).
 */
function readTime(s: string): { real: boolean; ms: number } | null {
  const n = s.length;
  if (n < 20) return null;
  for (const i of TIME_DIGITS) if (!isDigit(s.charCodeAt(i))) return null;
  for (const [i, mark] of TIME_MARKS) if (s.charCodeAt(i) !== mark) return null;
  let i = 19;
  let fraction = 0;
  if (s.charCodeAt(i) === 46 /* . */) {
    const start = ++i;
    for (; i < n && isDigit(s.charCodeAt(i)); i++) if (i - start < 3) fraction = fraction * 10 + s.charCodeAt(i) - 48;
    if (i === start) return null;
    for (let k = i - start; k < 3; k++) fraction *= 10;
  }
  let offsetHours = 0;
  let offsetMinutes = 0;
  let sign = 0;
  const zone = s.charCodeAt(i);
  if (zone === 90 /* Z */) {
    if (i + 1 !== n) return null;
  } else if (zone === 43 /* + */ || zone === 45 /* - */) {
    if (i + 6 !== n || s.charCodeAt(i + 3) !== 58) return null;
    for (const k of [1, 2, 4, 5]) if (!isDigit(s.charCodeAt(i + k))) return null;
    offsetHours = num(s, i + 1, 2);
    offsetMinutes = num(s, i + 4, 2);
    sign = zone === 43 ? 1 : -1;
  } else return null;
  const year = num(s, 0, 4);
  const month = num(s, 5, 2);
  const day = num(s, 8, 2);
  const hour = num(s, 11, 2);
  const minute = num(s, 14, 2);
  const second = num(s, 17, 2);
  const real =
    month >= 1 &&
    month <= 12 &&
    day >= 1 &&
    day <= daysInMonth(year, month) &&
    hour <= 23 &&
    minute <= 59 &&
    second <= 59 &&
    offsetHours <= 14 &&
    offsetMinutes <= 59;
  if (!real) return { real, ms: NaN };
  const local = daysFromCivil(year, month, day) * 86_400_000 + ((hour * 60 + minute) * 60 + second) * 1000 + fraction;
  return { real, ms: local - sign * (offsetHours * 60 + offsetMinutes) * 60_000 };
}

/** ISO-8601 with a zone ("2026-02-25T19:39:12Z", optionally with fraction). */
export const isoTime = z
  .string()
  .regex(ISO_UTC, "must be an ISO-8601 time with a zone, e.g. 2026-02-25T19:39:12Z")
  .refine(realCalendarTime, "must be a real calendar time (month 1-12, day within the month, hour 0-23)")
  .refine((s) => {
    const t = isoTimeMs(s);
    return Number.isFinite(t) && t >= MIN_TIME && t < MAX_TIME;
  }, "must be a real time between 2006 and 2100");

const PG_MIN_TIME = Date.parse("0001-01-01T00:00:00Z");
const PG_MAX_TIME = Date.parse("9999-12-31T23:59:59.999Z");

/**
 * A time in a mirrored column: any real ISO-8601 time with a zone that
 * PostgreSQL stores and reads back in the same form (years 0001 to 9999).
 * Times outside X's era are anomalies (anomaly-rules.ts), not rejects.
 */
export const storableTime = z
  .string()
  .regex(ISO_UTC, "must be an ISO-8601 time with a zone, e.g. 2026-02-25T19:39:12Z")
  .refine(realCalendarTime, "must be a real calendar time (month 1-12, day within the month, hour 0-23)")
  .refine((s) => {
    const t = isoTimeMs(s);
    return Number.isFinite(t) && t >= PG_MIN_TIME && t <= PG_MAX_TIME;
  }, "must be a time between the years 0001 and 9999 UTC");

/** SQLite stores booleans as 0/1; accept those as well as true/false. */
export const flag = z.union([z.boolean(), z.literal(0), z.literal(1)]).transform((v) => v === true || v === 1);

/** Any whole number PostgreSQL's `integer` holds. */
export const int4 = z
  .number()
  .int()
  .min(-2_147_483_648, "must fit PostgreSQL's integer (-2147483648 to 2147483647)")
  .max(2_147_483_647, "must fit PostgreSQL's integer (-2147483648 to 2147483647)");
/** A `bigint` column's value as JSON carries it exactly: beyond ±2^53 a number loses digits on the way. */
export const safeInteger = z
  .number()
  .int()
  .min(-Number.MAX_SAFE_INTEGER, "must be within ±9007199254740991 (a larger number loses digits in JSON)")
  .max(Number.MAX_SAFE_INTEGER, "must be within ±9007199254740991 (a larger number loses digits in JSON)");
/** A `double precision` value (JSON cannot carry NaN or Infinity anyway). */
export const finiteNumber = z.number().refine(Number.isFinite, "must be a finite number");

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
