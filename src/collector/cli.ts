// The collector's command line: a thin layer over the command functions in
// ./commands, which tests call directly.
import { Command, Option } from "commander";
import { existsSync } from "node:fs";
import { CollectorConfigError, parseCollectorEnv, type CollectorConfig } from "./config";
import { createCollectorContext, MissingApiKeyError, type CollectorContext } from "./context";
import { accountsAdd, accountsList, accountsRemove, accountsSetTier } from "./commands/accounts";
import { catchUpCommand } from "./commands/catch-up";
import { reconcileCommand } from "./commands/reconcile";
import { runCommand } from "./commands/run";
import {
  cutoverAll,
  cutoverExport,
  cutoverFreeze,
  cutoverImport,
  cutoverRestore,
  cutoverSnapshot,
  cutoverValidate,
  type CutoverOptions,
} from "./commands/cutover";
import { createCollectorScheduler } from "./commands/schedule";
import { replayGenerateCommand } from "./commands/replay";
import { freezeCommand, statusCommand, unfreezeCommand } from "./commands/status";
import { createLog } from "./log";
import { isoTime } from "~/shared/schemas/primitives";

type GlobalOptions = {
  db?: string;
  apiBaseUrl?: string;
  apiKey?: string;
  apiKeyFile?: string;
  healthFile?: string;
  collector?: string;
  json?: boolean;
};

function configFrom(command: Command): CollectorConfig {
  const g = command.optsWithGlobals<GlobalOptions>();
  if (existsSync(".env")) process.loadEnvFile(".env");
  const overrides: Record<string, string | undefined> = {
    ...process.env,
    ...(g.db ? { XMONITOR_DB_PATH: g.db } : {}),
    ...(g.apiBaseUrl ? { XMONITOR_API_BASE_URL: g.apiBaseUrl } : {}),
    // A key given on the command line replaces the environment's, whichever form each takes.
    ...(g.apiKey ? { XMONITOR_API_KEY: g.apiKey, XMONITOR_API_KEY_FILE: undefined } : {}),
    ...(g.apiKeyFile ? { XMONITOR_API_KEY_FILE: g.apiKeyFile, XMONITOR_API_KEY: undefined } : {}),
    ...(g.healthFile ? { XMONITOR_HEALTH_FILE: g.healthFile } : {}),
    ...(g.collector ? { XMONITOR_COLLECTOR_NAME: g.collector } : {}),
  };
  return parseCollectorEnv(overrides);
}

function contextFrom(command: Command): CollectorContext {
  return createCollectorContext(configFrom(command), { json: command.optsWithGlobals<GlobalOptions>().json ?? false });
}

function isoOption(value: string): string {
  const parsed = isoTime.safeParse(value);
  // The schema's own message says which rule failed: the shape, the calendar, or the 2006-2100 range.
  if (!parsed.success) throw new Error(`"${value}" ${parsed.error.issues[0]?.message ?? "is not a valid time"}`);
  return value;
}

const tiers = ["priority", "discovery"] as const;

function positiveInt(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new Error(`"${value}" is not a positive integer`);
  return n;
}

const collect = (value: string, previous: string[] = []) => [...previous, value];

/** Ctrl-C during a long import: finish the batches in flight, write the checkpoint, stop. A second Ctrl-C ends at once. */
function interruptSignal(ctx: CollectorContext): AbortSignal {
  const controller = new AbortController();
  process.once("SIGINT", () => {
    ctx.log.warn(
      "interrupt: finishing the batches in flight and writing the checkpoint (Ctrl-C again to stop at once)",
    );
    controller.abort();
  });
  return controller.signal;
}

function cutoverGroup(program: Command): void {
  const cutover = program
    .command("cutover")
    .description(
      "move this machine's SQLite state into the central PostgreSQL: freeze, snapshot, export, import, validate, restore (or all)",
    )
    .option("--data-dir <dir>", "where snapshots, exports, reject logs and reports go (default: the database's folder)")
    .option("--label <name>", "name of a new cutover (default: the collector's name)")
    .option("--operator <name>", "who runs it (default: the OS user)");
  const base = (command: Command): CutoverOptions => {
    const g = command.optsWithGlobals<CutoverOptions>();
    return {
      ...(g.dataDir ? { dataDir: g.dataDir } : {}),
      ...(g.label ? { label: g.label } : {}),
      ...(g.operator ? { operator: g.operator } : {}),
    };
  };
  cutover
    .command("freeze")
    .description("set the freeze flag and wait until no collector run is in progress")
    .option("--timeout <seconds>", "how long to wait for runs in progress", positiveInt, 600)
    .action(async (options: { timeout: number }, command: Command) => {
      process.exitCode = (
        await cutoverFreeze(contextFrom(command), { ...base(command), timeoutSeconds: options.timeout })
      ).exitCode;
    });
  cutover
    .command("snapshot")
    .description("copy the live database with the online backup API, then PRAGMA integrity_check on the copy")
    .option("--source <file>", "database to copy (default: --db)")
    .action(async (options: { source?: string }, command: Command) => {
      process.exitCode = (await cutoverSnapshot(contextFrom(command), { ...base(command), ...options })).exitCode;
    });
  cutover
    .command("export")
    .description("the snapshot as one JSONL file per table plus manifest.json (row counts, SHA-256)")
    .option("--snapshot <file>", "snapshot to export (default: this cutover's)")
    .option("--out <dir>", "export directory (default: data/export_cutover_<stamp>)")
    .action(async (options: { snapshot?: string; out?: string }, command: Command) => {
      const { out, ...rest } = options;
      process.exitCode = (
        await cutoverExport(contextFrom(command), { ...base(command), ...rest, ...(out ? { outDir: out } : {}) })
      ).exitCode;
    });
  cutover
    .command("import")
    .description(
      "push the export through the ingest API with the key given; resumable (Ctrl-C keeps the checkpoint); rejects go to an NDJSON log (exit 1 when any)",
    )
    .option("--export-dir <dir>", "export to import (default: this cutover's)")
    .option("--dry-run", "validate and count what would be inserted/updated, write nothing")
    .option("--batch-size <n>", "items per batch (XMONITOR_INGEST_BATCH_SIZE)", positiveInt)
    .action(async (options: { exportDir?: string; dryRun?: boolean; batchSize?: number }, command: Command) => {
      const ctx = contextFrom(command);
      process.exitCode = (
        await cutoverImport(ctx, { ...base(command), ...options, signal: interruptSignal(ctx) })
      ).exitCode;
    });
  cutover
    .command("validate")
    .description(
      "snapshot vs server row counts per table and a field-by-field spot check; exit 1 when anything differs",
    )
    .option("--snapshot <file>", "snapshot to compare with (default: this cutover's)")
    .option("--sample <n>", "rows spot-checked per table", positiveInt, 50)
    .option("--seed <text>", "seed of the sample (same seed, same rows)", "cutover")
    .option("--ignore-run <run_id>", "leave this run out of the comparison (repeatable)", collect)
    .option("--report <file>", "report path (default: data/validate_cutover_<stamp>.json)")
    .action(
      async (
        options: { snapshot?: string; sample: number; seed: string; ignoreRun?: string[]; report?: string },
        command: Command,
      ) => {
        const { ignoreRun, ...rest } = options;
        process.exitCode = (
          await cutoverValidate(contextFrom(command), { ...base(command), ...rest, ignoreRuns: ignoreRun ?? [] })
        ).exitCode;
      },
    );
  cutover
    .command("restore")
    .description("clear the freeze flag; with --canary run one cycle per mode and report api ingest ok")
    .option("--canary", "run one priority and one discovery cycle")
    .action(async (options: { canary?: boolean }, command: Command) => {
      process.exitCode = (await cutoverRestore(contextFrom(command), { ...base(command), ...options })).exitCode;
    });
  cutover
    .command("all")
    .description("freeze → snapshot → export → import → validate → restore, stopping at the first failing step")
    .option("--timeout <seconds>", "freeze: how long to wait for runs in progress", positiveInt, 600)
    .option("--batch-size <n>", "import: items per batch", positiveInt)
    .option("--sample <n>", "validate: rows spot-checked per table", positiveInt, 50)
    .option("--seed <text>", "validate: seed of the sample", "cutover")
    .option("--ignore-run <run_id>", "validate: leave this run out (repeatable)", collect)
    .option("--canary", "restore: run one cycle per mode")
    .action(
      async (
        options: {
          timeout: number;
          batchSize?: number;
          sample: number;
          seed: string;
          ignoreRun?: string[];
          canary?: boolean;
        },
        command: Command,
      ) => {
        const ctx = contextFrom(command);
        const { timeout, ignoreRun, ...rest } = options;
        process.exitCode = (
          await cutoverAll(ctx, {
            ...base(command),
            ...rest,
            timeoutSeconds: timeout,
            ignoreRuns: ignoreRun ?? [],
            signal: interruptSignal(ctx),
          })
        ).exitCode;
      },
    );
}

function replayGroup(program: Command): void {
  program
    .command("replay")
    .description("the replay source's input file")
    .command("generate")
    .description("write a replay file of invented, realistic posts (deterministic for a seed)")
    .option("--out <file>", "where (default XMONITOR_REPLAY_FILE, data/replay.jsonl)")
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
    .option("--db <path>", "local SQLite file (XMONITOR_DB_PATH, default data/x_monitor.db)")
    .option("--api-base-url <url>", "server base URL (XMONITOR_API_BASE_URL)")
    .option("--api-key-file <path>", "file holding the API key, mode 600 (XMONITOR_API_KEY_FILE)")
    .option("--api-key <key>", "API key (XMONITOR_API_KEY); shows in ps and shell history: prefer --api-key-file")
    .option("--health-file <path>", "ingest health JSON file (XMONITOR_HEALTH_FILE)")
    .option("--collector <name>", "this collector's name (XMONITOR_COLLECTOR_NAME, default the host name)")
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
    .option("--lookback-seconds <n>", "lookback before --since (XMONITOR_INGEST_LOOKBACK_SECONDS, default 900)", (v) =>
      Number(v),
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
    .action(async (options: { since?: string }, command: Command) => {
      const ctx = contextFrom(command);
      process.exitCode = (
        await reconcileCommand(ctx, { ...options, json: command.optsWithGlobals<GlobalOptions>().json ?? false })
      ).exitCode;
    });

  program
    .command("schedule")
    .description("run jobs on their cron lines until stopped (never overlapping, skipped while frozen)")
    .action(async (_options: unknown, command: Command) => {
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
  try {
    await buildCli().parseAsync(argv);
  } catch (error) {
    if (error instanceof CollectorConfigError || error instanceof MissingApiKeyError) console.error(error.message);
    else console.error(`collector: ${(error as Error).message}`);
    process.exitCode = 1;
  }
}
