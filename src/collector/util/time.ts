// One textual form for every time the collector writes, so that ISO strings
// compare correctly as text: 'YYYY-MM-DDTHH:MM:SS.sssZ' (UTC, milliseconds).
// Legacy rows may still lack the milliseconds; readers compare with
// julianday() (see store/changed-rows.ts), never as raw text.

const ZONED_ISO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})$/;

/** Normalises a Date, epoch milliseconds or a zoned ISO string to 'YYYY-MM-DDTHH:MM:SS.sssZ'. */
export function toIsoMs(value: Date | number | string): string {
  if (typeof value === "string") {
    // A string without a zone would be read as local time: refuse it rather than guess.
    if (!ZONED_ISO.test(value)) throw new RangeError(`not an ISO-8601 time with a zone: "${value}"`);
    value = Date.parse(value);
  }
  const date = value instanceof Date ? value : new Date(value);
  if (!Number.isFinite(date.getTime())) throw new RangeError(`not a valid time: "${String(value)}"`);
  return date.toISOString();
}

/** 'YYYY-MM-DDTHH:MM:SSZ': the second-precision form used inside window ids. */
export function toIsoSeconds(value: Date | number): string {
  return toIsoMs(value).replace(/\.\d{3}Z$/, "Z");
}

export type Clock = () => Date;
export const systemClock: Clock = () => new Date();
