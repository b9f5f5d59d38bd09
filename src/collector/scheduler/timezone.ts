// Whether a time zone name is one this Node knows, asked as cheaply as it can
// be: every collector command checks XMONITOR_TIMEZONE when it reads its
// configuration, and building a date formatter for the check made ICU load
// its calendar and zone data, ~8.6 MB of the process's memory, in commands
// (a cutover, a run) that never format a date in a zone. The list of
// canonical zone names costs ~0.4 MB; only a name it lacks (an alias such as
// UTC or US/Eastern, or no zone at all) is put to the formatter, which stays
// the judge of what is valid.

let canonical: ReadonlySet<string> | null = null;

export function isKnownTimezone(name: string): boolean {
  canonical ??= new Set(Intl.supportedValuesOf("timeZone"));
  if (canonical.has(name)) return true;
  try {
    new Intl.DateTimeFormat("en-US", { timeZone: name });
    return true;
  } catch {
    return false;
  }
}
