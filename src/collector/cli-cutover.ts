// `collector cutover …`: the command line of the cutover steps; the steps
// themselves are in ./commands/cutover.ts and ./cutover/.
import type { Command } from "commander";
import type { CollectorContext } from "./context";
import {
  cutoverAll,
  cutoverExport,
  cutoverExportImport,
  cutoverFreeze,
  cutoverImport,
  cutoverRestore,
  cutoverSnapshot,
  cutoverValidate,
  type CutoverOptions,
} from "./commands/cutover";
import { contextFrom, positiveInt } from "./cli-options";
import { EXIT_INTERRUPTED } from "./cutover/steps";

const collect = (value: string, previous: string[] = []) => [...previous, value];

/**
 * Ctrl-C during a long import: finish the chunks in flight, record them in
 * the checkpoint, stop with exit 130 and one line saying how to resume. A
 * second Ctrl-C ends at once (the checkpoint still holds every chunk recorded).
 */
function interruptSignal(ctx: CollectorContext): AbortSignal {
  const controller = new AbortController();
  process.once("SIGINT", () => {
    ctx.log.warn(
      "interrupt: finishing the chunks in flight and recording them in the checkpoint (Ctrl-C again to stop at once)",
    );
    controller.abort();
  });
  return controller.signal;
}

export function cutoverGroup(program: Command): void {
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
    .option(
      "--import",
      "send each chunk to the server as it is written: the first import pass, with the key given, in the same read of the snapshot (as cutover all runs it); Ctrl-C or a failure resumes with cutover import",
    )
    .option(
      "--batch-size <n>",
      "with --import: items per chunk (default 2000; bytes are capped at 2 MiB first)",
      positiveInt,
    )
    .action(
      async (options: { snapshot?: string; out?: string; import?: boolean; batchSize?: number }, command: Command) => {
        const { out, import: withImport, batchSize, ...rest } = options;
        const ctx = contextFrom(command);
        const common = { ...base(command), ...rest, ...(out ? { outDir: out } : {}) };
        if (!withImport) {
          process.exitCode = (await cutoverExport(ctx, common)).exitCode;
          return;
        }
        const result = await cutoverExportImport(ctx, {
          ...common,
          ...(batchSize ? { batchSize } : {}),
          signal: interruptSignal(ctx),
        });
        if (result.exitCode === EXIT_INTERRUPTED) ctx.log.warn(result.message, { event: "interrupted" });
        process.exitCode = result.exitCode;
      },
    );
  cutover
    .command("import")
    .description(
      "push the export through the ingest API with the key given; resumable (Ctrl-C keeps the checkpoint); rejects go to an NDJSON log (exit 1 when any)",
    )
    .option("--export-dir <dir>", "export to import (default: this cutover's)")
    .option("--dry-run", "validate and count what would be inserted/updated, write nothing")
    .option("--batch-size <n>", "items per chunk (default 2000; bytes are capped at 2 MiB first)", positiveInt)
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
    .option("--report <file>", "report path (default: validate_cutover_<stamp>.json in the data folder)")
    .option(
      "--post-cleanup",
      "name the report validate_cutover_post_cleanup_<stamp>.json (automatic after collector runs remove)",
    )
    .option("--recent <n>", "most recent posts matched on author and body via the REST lookup", positiveInt, 5)
    .action(
      async (
        options: {
          snapshot?: string;
          sample: number;
          seed: string;
          ignoreRun?: string[];
          report?: string;
          postCleanup?: boolean;
          recent: number;
        },
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
    .option("--canary", "run one cycle per mode: priority, discovery, then refresh-24h (the discovery canary)")
    .action(async (options: { canary?: boolean }, command: Command) => {
      process.exitCode = (await cutoverRestore(contextFrom(command), { ...base(command), ...options })).exitCode;
    });
  cutover
    .command("all")
    .description(
      "freeze → snapshot → export and import in one pass → validate → restore, stopping at the first failing step (Ctrl-C: exit 130, resume with cutover import)",
    )
    .option("--timeout <seconds>", "freeze: how long to wait for runs in progress", positiveInt, 600)
    .option("--batch-size <n>", "import: items per chunk (default 2000)", positiveInt)
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
