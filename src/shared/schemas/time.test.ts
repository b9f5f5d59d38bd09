// storableTime and isoTime read times by position; these are the checks they
// replaced (a regular expression, Date.UTC's days per month, Date.parse),
// which must give the same issues for any text.
import { describe, expect, it } from "vitest";
import { z } from "zod";
import { randomFromState } from "../random";
import { isoTime, MAX_TIME, MIN_TIME, storableTime } from "./primitives";

const ISO_UTC = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,6})?(Z|[+-]\d{2}:\d{2})$/;
function realCalendarTime(s: string): boolean {
  const m = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.\d+)?(?:Z|[+-](\d{2}):(\d{2}))$/.exec(s);
  if (!m) return false;
  const [year, month, day, hour, minute, second] = m.slice(1, 7).map<number>(Number);
  const daysInMonth = new Date(Date.UTC(year!, month, 0)).getUTCDate();
  const offsetOk = m[7] === undefined || (Number(m[7]) <= 14 && Number(m[8]) <= 59);
  return (
    month! >= 1 &&
    month! <= 12 &&
    day! >= 1 &&
    day! <= daysInMonth &&
    hour! <= 23 &&
    minute! <= 59 &&
    second! <= 59 &&
    offsetOk
  );
}
const reference = (inRange: (t: number) => boolean, message: string) =>
  z
    .string()
    .regex(ISO_UTC, "must be an ISO-8601 time with a zone, e.g. 2026-02-25T19:39:12Z")
    .refine(realCalendarTime, "must be a real calendar time (month 1-12, day within the month, hour 0-23)")
    .refine((s) => {
      const t = Date.parse(s);
      return Number.isFinite(t) && inRange(t);
    }, message);
const storableBefore = reference(
  (t) => t >= Date.parse("0001-01-01T00:00:00Z") && t <= Date.parse("9999-12-31T23:59:59.999Z"),
  "must be a time between the years 0001 and 9999 UTC",
);
const isoBefore = reference((t) => t >= MIN_TIME && t < MAX_TIME, "must be a real time between 2006 and 2100");

const messages = (schema: z.ZodType, value: string) => {
  const parsed = schema.safeParse(value);
  return parsed.success ? [] : parsed.error.issues.map((i) => i.message);
};

const cases = [
  "2026-02-25T19:39:12Z",
  "2026-02-25T19:39:12.1Z",
  "2026-02-25T19:39:12.123456Z",
  "2026-02-25T19:39:12.1234567Z",
  "2026-02-25T19:39:12.Z",
  "2026-02-25T19:39:12+14:59",
  "2026-02-25T19:39:12-15:00",
  "2026-02-25T19:39:12+01:60",
  "2026-02-25T19:39:12+0100",
  "2026-02-25T19:39:12",
  "2026-02-25 19:39:12Z",
  "2026-02-29T00:00:00Z",
  "2024-02-29T00:00:00Z",
  "1900-02-29T00:00:00Z",
  "2000-02-29T00:00:00Z",
  "0000-02-29T00:00:00Z",
  "0004-02-29T00:00:00Z",
  "0100-02-29T00:00:00Z",
  "0001-01-01T00:00:00Z",
  "0001-01-01T00:00:00+00:01",
  "0001-01-01T00:00:00-00:01",
  "9999-12-31T23:59:59.999Z",
  "9999-12-31T23:59:59.9999Z",
  "9999-12-31T23:59:59.999-00:01",
  "2005-12-31T23:59:59.999Z",
  "2006-01-01T00:00:00Z",
  "2006-01-01T00:59:59+01:00",
  "2099-12-31T23:59:59.999Z",
  "2100-01-01T00:00:00Z",
  "2099-12-31T23:00:00-01:00",
  "2026-00-10T00:00:00Z",
  "2026-13-10T00:00:00Z",
  "2026-04-31T00:00:00Z",
  "2026-04-00T00:00:00Z",
  "2026-01-01T24:00:00Z",
  "2026-01-01T23:60:00Z",
  "2026-01-01T23:59:60Z",
  "2026-01-01T00:00:00Zx",
  "２026-01-01T00:00:00Z",
  "Nov 20 2026",
  "",
];

describe("times read by position", () => {
  it("give the issues the regular expression, Date.UTC and Date.parse gave", () => {
    for (const value of cases) {
      expect(messages(storableTime, value), value).toEqual(messages(storableBefore, value));
      expect(messages(isoTime, value), value).toEqual(messages(isoBefore, value));
    }
  });

  it("agree on random times and random damage to them", () => {
    const r = randomFromState(17);
    const digits = "0123456789";
    for (let n = 0; n < 20_000; n++) {
      const pick = (s: string) => s[Math.floor(r.next() * s.length)]!;
      const d = (k: number) => Array.from({ length: k }, () => pick(digits)).join("");
      const fraction = r.next() < 0.5 ? "" : `.${d(1 + Math.floor(r.next() * 7))}`;
      const zone = r.next() < 0.5 ? "Z" : `${pick("+-")}${r.next() < 0.8 ? "0" : pick(digits)}${d(1)}:${d(2)}`;
      const year = r.next() < 0.3 ? d(4) : String(1990 + Math.floor(r.next() * 120));
      // Mostly in range, so the calendar and range checks are reached, sometimes any two digits.
      const f = (max: number, from = 0) =>
        r.next() < 0.8 ? String(from + Math.floor(r.next() * (max - from + 1))).padStart(2, "0") : d(2);
      let value = `${year}-${f(12, 1)}-${f(31, 1)}T${f(23)}:${f(59)}:${f(59)}${fraction}${zone}`;
      if (r.next() < 0.2) {
        const at = Math.floor(r.next() * value.length);
        value = value.slice(0, at) + pick("0:-T.Z+x ") + value.slice(at + 1);
      }
      expect(messages(storableTime, value), value).toEqual(messages(storableBefore, value));
      expect(messages(isoTime, value), value).toEqual(messages(isoBefore, value));
    }
  });
});
