// The collector's command line: a thin layer over the command functions in
// ./commands, which tests call directly.
import { Command, Option } from "commander";
import { CollectorConfigError } from "./config";
import { MissingApiKeyError } from "./context";
import { accountsAdd, accountsList, accountsRemove, accountsSetTier } from "./commands/accounts";
import { catchUpCommand } from "./commands/catch-up";
import { DEFAULT_RECONCILE_WAIT_SECONDS, reconcileCommand } from "./commands/reconcile";
import { runCommand } from "./commands/run";
import { createCollectorScheduler } from "./commands/schedule";
import { replayGenerateCommand } from "./commands/replay";
import { freezeCommand, statusCommand, unfreezeCommand } from "./commands/status";
import { createLog } from "./log";
import {
  configFrom,
  contextFrom,
  isoOption,
  positiveInt,
  settingsFrom,
  variableOption,
  type GlobalOptions,
} from "./cli-options";
import { configCommand, describeSettings } from "./commands/config";
import { runsRemoveCommand } from "./commands/runs";
import { cutoverGroup } from "./cli-cutover";
import { DEFAULT_ENV_FILE, scheduleUnitsCommand } from "./commands/schedule-units";
import { unitFormats, type UnitFormat } from "./scheduler/units";

const tiers = ["priority", "discovery"] as const;

function replayGroup(program: Command): void {
  program
    .command("replay")
    .description("the replay source's input file")
    .command("generate")
    .description("write a replay file of invented, realistic posts (deterministic for a seed)")
    .option("--out <file>", "where (default XMONITOR_REPLAY_FILE, replay.jsonl in XMONITOR_HOME)")
    .option("--accounts <handles>", "comma-separated replay accounts to post from (default: all of them)", (v) =>
      v.split(",").filter((h) => h.trim() !== ""),
    )
    .option("--seed <n>", "the same seed writes the same file", "1")
    .option("--count <n>", "how many posts", positiveInt, 400)
    .option("--hours <n>", "time range the posts span, ending now", positiveInt, 48)
    .option("--force", "replace an existing file")
    .action(
      async (
        options: { out?: string; accounts?: string[]; seed: string; count: number; hours: number; force?: boolean },
        command: Command,
      ) => {
        const json = command.optsWithGlobals<GlobalOptions>().json ?? false;
        const out = options.out ?? configFrom(command).XMONITOR_REPLAY_FILE;
        const result = await replayGenerateCommand({
          ...options,
          out,
          now: () => new Date(),
          log: createLog({ json }),
        });
        process.exitCode = result.exitCode;
      },
    );
}

export function buildCli(): Command {
  const program = new Command("collector")
    .description(
      "xmonitor collector: watch X accounts and searches, keep local SQLite state, push every run to the server",
    )
    .option("--db <path>", "local SQLite file (XMONITOR_DB_PATH, default x_monitor.db in XMONITOR_HOME)")
    .option("--api-base-url <url>", "server base URL (XMONITOR_API_BASE_URL)")
    .option("--api-key-file <path>", "file holding the API key, mode 600 (XMONITOR_API_KEY_FILE)")
    .option("--api-key <key>", "API key (XMONITOR_API_KEY); shows in ps and shell history: prefer --api-key-file")
    .option("--health-file <path>", "ingest health JSON file (XMONITOR_HEALTH_FILE)")
    .option("--collector <name>", "this collector's name (XMONITOR_COLLECTOR_NAME, default the host name)")
    .option(
      "--max-attempts <n>",
      "tries per server call before a cycle counts as failed (XMONITOR_INGEST_MAX_ATTEMPTS, default 4)",
      variableOption("--max-attempts", "XMONITOR_INGEST_MAX_ATTEMPTS"),
    )
    .option(
      "--initial-backoff-seconds <s>",
      "wait before the first retry, doubling after (XMONITOR_INGEST_INITIAL_BACKOFF_SECONDS, default 1)",
      variableOption("--initial-backoff-seconds", "XMONITOR_INGEST_INITIAL_BACKOFF_SECONDS"),
    )
    .option("--json", "one JSON object per line, for machines")
    .showHelpAfterError();

  program
    .command("run")
    .description("one run: fetch, score, store, embed, summarise, then push what changed")
    .addOption(
      new Option("--mode <mode>", "priority | discovery | refresh-24h")
        .choices(["priority", "discovery", "refresh-24h"])
        .makeOptionMandatory(),
    )
    .option(
      "--since <iso>",
      "push rows changed since this time minus the lookback (default: the run's start)",
      isoOption,
    )
    .option(
      "--lookback-seconds <n>",
      "lookback before --since (XMONITOR_INGEST_LOOKBACK_SECONDS, default 900)",
      variableOption("--lookback-seconds", "XMONITOR_INGEST_LOOKBACK_SECONDS"),
    )
    .option("--no-ingest", "collect locally only")
    .action(
      async (
        options: {
          mode: "priority" | "discovery" | "refresh-24h";
          since?: string;
          lookbackSeconds?: number;
          ingest: boolean;
        },
        command: Command,
      ) => {
        const ctx = contextFrom(command);
        process.exitCode = (await runCommand(ctx, options)).exitCode;
      },
    );

  program
    .command("catch-up")
    .description("after an outage: re-push everything changed since a time (idempotent)")
    .requiredOption("--since <iso>", "when the outage began", isoOption)
    .action(async (options: { since: string }, command: Command) => {
      process.exitCode = (await catchUpCommand(contextFrom(command), options)).exitCode;
    });

  program
    .command("reconcile")
    .description("compare local and server row counts per table; exit 0 on PASS, 1 on FAIL")
    .option("--since <iso>", "count rows from this time (default: 24 h ago)", isoOption)
    .option(
      "--wait <seconds>",
      `wait this long for runs in progress to finish before counting (default ${DEFAULT_RECONCILE_WAIT_SECONDS}); exit 2 after it`,
      positiveInt,
    )
    .option("--deep", "also compare content: segment checksums, then the exact keys missing, extra or different")
    .option(
      "--repair",
      "with --deep: push the missing and different rows, then check again (extra rows are never deleted)",
    )
    .action(async (options: { since?: string; wait?: number; deep?: boolean; repair?: boolean }, command: Command) => {
      const ctx = contextFrom(command);
      process.exitCode = (
        await reconcileCommand(ctx, {
          since: options.since,
          json: command.optsWithGlobals<GlobalOptions>().json ?? false,
          ...(options.wait !== undefined ? { wait: { timeoutMs: options.wait * 1000 } } : {}),
          ...(options.deep ? { deep: true } : {}),
          ...(options.repair ? { repair: true } : {}),
        })
      ).exitCode;
    });

  program
    .command("schedule")
    .description(
      "run jobs on their cron lines until stopped (never overlapping, skipped while frozen); --print writes them as this machine's units",
    )
    .addOption(
      new Option(
        "--print <format>",
        "print the jobs as launchd, systemd or cron units instead of running them",
      ).choices(unitFormats),
    )
    .option("--out <dir>", "with --print: write the unit files into this folder")
    .option("--env-file <file>", "with --print: the env file the units read", DEFAULT_ENV_FILE)
    .action(async (options: { print?: UnitFormat; out?: string; envFile: string }, command: Command) => {
      if (options.print) {
        const json = command.optsWithGlobals<GlobalOptions>().json ?? false;
        process.exitCode = scheduleUnitsCommand(configFrom(command), {
          format: options.print,
          envFile: options.envFile,
          log: createLog({ json }),
          ...(options.out ? { out: options.out } : {}),
        }).exitCode;
        return;
      }
      const ctx = contextFrom(command);
      const scheduler = createCollectorScheduler(ctx);
      scheduler.start();
      for (const { name, next } of scheduler.nextRuns())
        ctx.log.info(`scheduled ${name}: next at ${next?.toISOString() ?? "never"}`);
      await new Promise<void>((resolve) => {
        const stop = () => {
          ctx.log.info("stopping: waiting for running jobs to finish");
          scheduler.stop();
          void scheduler.idle().then(resolve);
        };
        process.once("SIGINT", stop);
        process.once("SIGTERM", stop);
      });
    });

  program
    .command("freeze")
    .description("pause scheduled jobs (used by the cutover)")
    .option("--reason <text>", "why", "manual freeze")
    .action((options: { reason: string }, command: Command) => void freezeCommand(contextFrom(command), options));
  program
    .command("unfreeze")
    .description("resume scheduled jobs")
    .action((_o: unknown, command: Command) => void unfreezeCommand(contextFrom(command)));
  program
    .command("status")
    .description("freeze state, runs in progress, last runs and ingest health")
    .action(
      (_o: unknown, command: Command) =>
        void statusCommand(contextFrom(command), { json: command.optsWithGlobals<GlobalOptions>().json ?? false }),
    );

  program
    .command("runs")
    .description("runs on the server")
    .command("remove <runId>")
    .description("remove a run made by hand on the server (admin key); without --yes, only say what would go")
    .requiredOption("--reason <text>", "why (kept in the server's audit record)")
    .option("--yes", "remove it")
    .action(async (runId: string, options: { reason: string; yes?: boolean }, command: Command) => {
      process.exitCode = (
        await runsRemoveCommand(contextFrom(command), { runId, reason: options.reason, yes: options.yes ?? false })
      ).exitCode;
    });

  program
    .command("config")
    .description("every effective setting and where it came from (flag, env, .env, default), keys masked")
    .action((_o: unknown, command: Command) => {
      const json = command.optsWithGlobals<GlobalOptions>().json ?? false;
      const { config, sources } = settingsFrom(command);
      process.exitCode = configCommand(describeSettings(config, sources), { log: createLog({ json }), json }).exitCode;
    });

  cutoverGroup(program);
  replayGroup(program);

  const accounts = program.command("accounts").description("the watch list");
  accounts
    .command("add <handle>")
    .addOption(new Option("--tier <tier>").choices(tiers).default("priority"))
    .option("--note <text>")
    .action(
      (handle: string, options: { tier: "priority" | "discovery"; note?: string }, command: Command) =>
        void accountsAdd(contextFrom(command), { handle, ...options }),
    );
  accounts
    .command("list")
    .addOption(new Option("--tier <tier>").choices(tiers))
    .option("--all", "include removed accounts")
    .action(
      (options: { tier?: "priority" | "discovery"; all?: boolean }, command: Command) =>
        void accountsList(contextFrom(command), {
          ...options,
          json: command.optsWithGlobals<GlobalOptions>().json ?? false,
        }),
    );
  accounts
    .command("remove <handle>")
    .action((handle: string, _o: unknown, command: Command) => void accountsRemove(contextFrom(command), { handle }));
  accounts.command("set-tier <handle> <tier>").action((handle: string, tier: string, _o: unknown, command: Command) => {
    if (tier !== "priority" && tier !== "discovery")
      throw new Error(`tier must be priority or discovery (got ${tier})`);
    accountsSetTier(contextFrom(command), { handle, tier });
  });
  return program;
}

export async function main(argv: string[] = process.argv): Promise<void> {
  // `collector config | head`: the reader went away; stop quietly, as shell tools do.
  process.stdout.on("error", (error: NodeJS.ErrnoException) => {
    if (error.code === "EPIPE") process.exit(process.exitCode ?? 0);
    throw error;
  });
  try {
    await buildCli().parseAsync(argv);
  } catch (error) {
    if (error instanceof CollectorConfigError || error instanceof MissingApiKeyError) console.error(error.message);
    else console.error(`collector: ${(error as Error).message}`);
    process.exitCode = 1;
  }
}
