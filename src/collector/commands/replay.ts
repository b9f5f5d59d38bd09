// `collector replay generate`: a replay file (the default source's input)
// of invented but realistic posts, so a fresh clone can run the collector
// without an X account. The same seed, count, accounts and time range give
// the same bytes on every machine.
import { toIsoMs } from "../util/time";
import type { CollectorLog } from "../log";
import { replayAccounts, writeReplayFile } from "../sources/replay-generator";
import { pathTaken } from "../util/atomic-file";

export type ReplayGenerateOptions = {
  out: string;
  seed: string;
  count: number;
  /** Handles of replay accounts to post from (default: all of them). */
  accounts?: string[];
  /** The posts' time range ends here (default: now), so a run sees them all. */
  end?: string;
  hours: number;
  /** Replace a file that is already there. */
  force?: boolean;
  now: () => Date;
  log: CollectorLog;
};

export async function replayGenerateCommand(options: ReplayGenerateOptions): Promise<{ exitCode: number }> {
  const { log } = options;
  if (pathTaken(options.out) && !options.force) {
    log.error(`${options.out} already exists: pass --force to replace it, or --out <file> to write elsewhere`);
    return { exitCode: 1 };
  }
  let accounts;
  try {
    accounts = replayAccounts(options.accounts);
  } catch (error) {
    log.error((error as Error).message);
    return { exitCode: 1 };
  }
  const end = Date.parse(toIsoMs(options.end ?? options.now()));
  const start = toIsoMs(end - options.hours * 3_600_000);
  const written = await writeReplayFile({
    file: options.out,
    seed: options.seed,
    count: options.count,
    start,
    end: toIsoMs(end),
    accounts: accounts.map((a) => a.username),
  });
  log.info(
    `wrote ${written.count} posts (${start} to ${toIsoMs(end)}, seed ${options.seed}) to ${options.out} by ${accounts.map((a) => a.username).join(", ")}; watch them with "collector accounts add <handle>"`,
    { event: "replay_generated", file: options.out, count: written.count, accounts: accounts.map((a) => a.username) },
  );
  return { exitCode: 0 };
}
