// One clear human line per event, or one JSON object per line with --json
// for machines. Everything goes to stdout except errors.
export type CollectorLog = {
  info(message: string, fields?: Record<string, unknown>): void;
  warn(message: string, fields?: Record<string, unknown>): void;
  error(message: string, fields?: Record<string, unknown>): void;
};

export function createLog(
  options: {
    json?: boolean;
    write?: (line: string) => void;
    writeError?: (line: string) => void;
    now?: () => Date;
  } = {},
): CollectorLog {
  const out = options.write ?? ((line: string) => process.stdout.write(`${line}\n`));
  const err = options.writeError ?? ((line: string) => process.stderr.write(`${line}\n`));
  const now = options.now ?? (() => new Date());
  const emit = (level: "info" | "warn" | "error", message: string, fields?: Record<string, unknown>) => {
    const sink = level === "error" ? err : out;
    if (options.json) sink(JSON.stringify({ time: now().toISOString(), level, message, ...fields }));
    else sink(message);
  };
  return {
    info: (m, f) => emit("info", m, f),
    warn: (m, f) => emit("warn", m, f),
    error: (m, f) => emit("error", m, f),
  };
}

/** A log that keeps lines in memory (tests, and commands that return their output). */
export function createMemoryLog(): CollectorLog & { lines: string[] } {
  const lines: string[] = [];
  const log = createLog({ write: (l) => lines.push(l), writeError: (l) => lines.push(l) });
  return Object.assign(log, { lines });
}
