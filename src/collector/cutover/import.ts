// Step 4: push an export to the server through the ingest API, table by
// table, in bounded batches read line by line (memory stays flat).
//
// Passes: each key (role + prefix, asked of the server) is its own pass with
// its own checkpoint entry, so re-running with a more privileged key sends
// everything again and lands what the first key could not write. A pass that
// finished is never resumed: re-running it starts a new pass, whose batches
// the server counts afresh (unchanged).
//
// Resume: the checkpoint (in the export directory) holds, per table, the line
// after the last batch whose result was recorded, the totals so far and the
// reject log's length then. A crash or Ctrl-C mid-pass resumes there with the
// same batch boundaries and idempotency keys, so a batch the server committed
// but the checkpoint missed is answered from the server's record (replayed),
// and the reject log is cut back to the recorded length first: nothing is
// counted or logged twice.
//
// Bad input: the manifest is checked whole before anything is sent (shape,
// one entry per table under its own file name, sizes, SHA-256, row counts, no
// file cut short mid-line). A line that cannot be an item (not UTF-8, not
// JSON, blank, longer than the line limit) is a reject with its line number,
// like an item the server refuses; lines are split on "\n" only, as the
// manifest counts them, and a line is never read whole past the limit.
import { createHash } from "node:crypto";
import {
  createReadStream,
  existsSync,
  openSync,
  closeSync,
  readFileSync,
  statSync,
  truncateSync,
  writeSync,
  fsyncSync,
} from "node:fs";
import path from "node:path";
import { z } from "zod";
import { contentKey } from "~/shared/canonical-json";
import type { IngestBatch, IngestResult, TableResult } from "~/shared/schemas/ingest";
import { syncTableNames, syncTables, type SyncTable } from "~/shared/schemas/tables";
import type { IngestAccess, IngestApi } from "../ingest/ingest-api";
import { MAX_BATCH_BYTES } from "../ingest/push-changes";
import { retry, type RetryOptions } from "../ingest/retry";
import { writeJsonAtomic } from "../util/atomic-file";
import { parseLocalItem, wouldUpdate } from "./compare";
import { fetchServerRows } from "./server-rows";
import { CHECKPOINT_FILE, exportFileName, MANIFEST_FILE, type ExportManifest, type ManifestFile } from "./paths";

export const IMPORT_MODE = "cutover";
const ROWS_BY_KEYS_LIMIT = 1000;
/** Longest line read: the server's default body limit (INGEST_MAX_BODY_BYTES), which no longer line could pass. */
export const DEFAULT_MAX_LINE_BYTES = 8 * 1024 * 1024;
/** How much of an unreadable line the reject log shows. */
const PREVIEW_BYTES = 200;

export type ImportTableResult = TableResult & { rows: number };
export type ImportResult = {
  pass: number;
  role: string;
  keyPrefix: string;
  dryRun: boolean;
  resumed: boolean;
  interrupted: boolean;
  tables: Record<SyncTable, ImportTableResult>;
  rejected: number;
  rejectLog: string | null;
  batches: number;
  replayedBatches: number;
};

type TableCheckpoint = { line: number; totals: TableResult; rejectLogBytes: number; done: boolean };
type PassCheckpoint = {
  pass: number;
  role: string;
  keyPrefix: string;
  label: string;
  batchSize: number;
  maxBytes: number;
  /** Absent in checkpoints written before the line limit existed. */
  maxLineBytes?: number;
  rejectLog: string;
  startedAt: string;
  complete: boolean;
  tables: Partial<Record<SyncTable, TableCheckpoint>>;
};
type Checkpoint = { version: 1; passes: PassCheckpoint[] };

export type ImportProgress = {
  table: SyncTable;
  sqlite: string;
  rows: number;
  total: number;
  totals: TableResult;
  done: boolean;
};

export class ExportVerificationError extends Error {
  override name = "ExportVerificationError";
}

const manifestSchema = z.looseObject({
  version: z.literal(1),
  files: z.array(
    z.object({
      table: z.enum(syncTableNames as [SyncTable, ...SyncTable[]]),
      sqlite: z.string(),
      server: z.string(),
      file: z.string(),
      rows: z.number().int().min(0),
      bytes: z.number().int().min(0),
      sha256: z.string().regex(/^[0-9a-f]{64}$/, "must be a SHA-256 in hex"),
    }),
  ),
});

/** Reads manifest.json and checks that it describes a whole export: one entry per table, under the name the export gives it. */
export function readManifest(exportDir: string): ExportManifest {
  const file = path.join(exportDir, MANIFEST_FILE);
  if (!existsSync(file))
    throw new ExportVerificationError(
      `${exportDir} has no manifest.json: the export did not finish (run collector cutover export again)`,
    );
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(file, "utf8"));
  } catch (error) {
    throw new ExportVerificationError(
      `${file} is not valid JSON (${(error as Error).message}): the export was damaged, export again`,
    );
  }
  const parsed = manifestSchema.safeParse(raw);
  if (!parsed.success) {
    const issues = parsed.error.issues.slice(0, 3).map((i) => `${i.path.join(".") || "manifest"}: ${i.message}`);
    throw new ExportVerificationError(`${file} is not an export manifest: ${issues.join("; ")}`);
  }
  const manifest = parsed.data as ExportManifest;
  const listed = new Set<SyncTable>();
  for (const entry of manifest.files) {
    if (listed.has(entry.table))
      throw new ExportVerificationError(`${file} lists ${entry.table} twice: the export was damaged, export again`);
    listed.add(entry.table);
    const { sqlite, server } = syncTables[entry.table];
    const name = exportFileName(sqlite);
    // Only the export's own file names: a manifest never sends the import to read anything else.
    if (entry.file !== name || entry.sqlite !== sqlite || entry.server !== server) {
      throw new ExportVerificationError(
        `${file} names ${entry.file} for ${entry.table}; an export names it ${name} (SQLite ${sqlite}, server ${server}): the export was damaged, export again`,
      );
    }
  }
  const missing = syncTableNames.filter((t) => !listed.has(t));
  if (missing.length > 0)
    throw new ExportVerificationError(
      `${file} lists no file for ${missing.join(", ")}: the export is incomplete, export again`,
    );
  return manifest;
}

/** Re-reads every file and checks its size, SHA-256 and line count against the manifest. */
export async function verifyExport(exportDir: string, manifest: ExportManifest): Promise<void> {
  for (const entry of manifest.files) {
    const file = path.join(exportDir, entry.file);
    if (!existsSync(file)) throw new ExportVerificationError(`${entry.file} is missing from ${exportDir}`);
    const hash = createHash("sha256");
    let lines = 0;
    let bytes = 0;
    let afterLastNewline = 0;
    for await (const chunk of createReadStream(file)) {
      const buffer = chunk as Buffer;
      hash.update(buffer);
      bytes += buffer.length;
      for (let i = buffer.indexOf(10); i !== -1; i = buffer.indexOf(10, i + 1)) lines++;
      const last = buffer.lastIndexOf(10);
      afterLastNewline = last === -1 ? afterLastNewline + buffer.length : buffer.length - last - 1;
    }
    const sha = hash.digest("hex");
    if (sha !== entry.sha256)
      throw new ExportVerificationError(
        `${entry.file}: SHA-256 ${sha} differs from the manifest's ${entry.sha256}: the export was changed or damaged, export again`,
      );
    if (bytes !== entry.bytes)
      throw new ExportVerificationError(
        `${entry.file}: ${bytes} bytes, the manifest says ${entry.bytes}: the export was changed or damaged, export again`,
      );
    // Every line the export writes ends with a newline: bytes after the last one are a line cut short.
    if (afterLastNewline > 0)
      throw new ExportVerificationError(
        `${entry.file} ends with ${afterLastNewline} bytes after its last newline: the file was cut short, export again`,
      );
    if (lines !== entry.rows)
      throw new ExportVerificationError(`${entry.file}: ${lines} rows, the manifest says ${entry.rows}`);
  }
}

/** A line that never became an item, with why. */
type LineReject = { line: number; reason: string; text: string };
type Batch = {
  items: unknown[];
  /** The line number of each item. */
  lines: number[];
  /** Lines of this batch's range that are not items. */
  unreadable: LineReject[];
  firstLine: number;
  endLine: number;
};

type RawLine = { bytes: Buffer | null; length: number; head: Buffer };

/**
 * The lines of a file as bytes, split on "\n" only (as verifyExport counts
 * them). A line longer than `maxLineBytes` is not kept: only its length and
 * first bytes, so memory stays bounded whatever the file holds.
 */
async function* readRawLines(file: string, maxLineBytes: number): AsyncGenerator<RawLine> {
  let parts: Buffer[] = [];
  let length = 0;
  let head: Buffer | null = null;
  const take = (part: Buffer) => {
    if (part.length === 0) return;
    length += part.length;
    if (head) return;
    parts.push(part);
    if (length > maxLineBytes) {
      head = Buffer.concat(parts).subarray(0, PREVIEW_BYTES);
      parts = [];
    }
  };
  const finish = (): RawLine => {
    const bytes = head ? null : parts.length === 1 ? parts[0]! : Buffer.concat(parts);
    const line = { bytes, length, head: head ?? bytes!.subarray(0, PREVIEW_BYTES) };
    parts = [];
    length = 0;
    head = null;
    return line;
  };
  for await (const chunk of createReadStream(file)) {
    const buffer = chunk as Buffer;
    let start = 0;
    for (let nl = buffer.indexOf(10); nl !== -1; nl = buffer.indexOf(10, start)) {
      take(buffer.subarray(start, nl));
      yield finish();
      start = nl + 1;
    }
    take(buffer.subarray(start));
  }
  // verifyExport refuses a file cut short mid-line; should one change since, its tail is a line too.
  if (length > 0) yield finish();
}

const strictUtf8 = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });

function parseLine(
  raw: RawLine,
  maxLineBytes: number,
): { ok: true; item: unknown; size: number } | { ok: false; reason: string; text: string } {
  const text = raw.head.toString("utf8");
  if (!raw.bytes)
    return {
      ok: false,
      reason: `unreadable line: ${raw.length} bytes, over the ${maxLineBytes}-byte line limit (not read whole, not sent)`,
      text,
    };
  let decoded: string;
  try {
    decoded = strictUtf8.decode(raw.bytes);
  } catch {
    return { ok: false, reason: "unreadable line: not valid UTF-8", text };
  }
  if (decoded.trim() === "") return { ok: false, reason: "unreadable line: blank", text };
  try {
    return { ok: true, item: JSON.parse(decoded) as unknown, size: raw.bytes.length };
  } catch (error) {
    return { ok: false, reason: `unreadable line: not JSON (${(error as Error).message})`, text };
  }
}

/**
 * Batches of items from one JSONL file, starting after `skipLines`, bounded
 * by count and bytes; unreadable lines ride with the batch whose range they
 * fall in. The same file always gives the same batches from the same line.
 */
async function* readBatches(
  file: string,
  options: { skipLines: number; maxItems: number; maxBytes: number; maxLineBytes: number },
): AsyncGenerator<Batch> {
  let line = 0;
  let items: unknown[] = [];
  let lines: number[] = [];
  let unreadable: LineReject[] = [];
  let bytes = 0;
  let firstLine = options.skipLines;
  const cut = (endLine: number): Batch => {
    const batch = { items, lines, unreadable, firstLine, endLine };
    items = [];
    lines = [];
    unreadable = [];
    bytes = 0;
    firstLine = endLine;
    return batch;
  };
  for await (const raw of readRawLines(file, options.maxLineBytes)) {
    line++;
    if (line <= options.skipLines) continue;
    const parsed = parseLine(raw, options.maxLineBytes);
    const full =
      items.length >= options.maxItems ||
      unreadable.length >= options.maxItems ||
      (parsed.ok && items.length > 0 && bytes + parsed.size > options.maxBytes);
    if (full && (items.length > 0 || unreadable.length > 0)) yield cut(line - 1);
    if (parsed.ok) {
      items.push(parsed.item);
      lines.push(line);
      bytes += parsed.size;
    } else {
      unreadable.push({ line, reason: parsed.reason, text: parsed.text });
    }
  }
  if (items.length > 0 || unreadable.length > 0) yield cut(line);
}

function zeroTotals(): TableResult {
  return { inserted: 0, updated: 0, unchanged: 0, rejected: 0 };
}

function addTotals(into: TableResult, add: TableResult): void {
  into.inserted += add.inserted;
  into.updated += add.updated;
  into.unchanged += add.unchanged;
  into.rejected += add.rejected;
}

function readCheckpoint(file: string): Checkpoint {
  if (!existsSync(file)) return { version: 1, passes: [] };
  let checkpoint: Checkpoint;
  try {
    checkpoint = JSON.parse(readFileSync(file, "utf8")) as Checkpoint;
  } catch (error) {
    throw new ExportVerificationError(
      `${file} is damaged (${(error as Error).message}): remove it to import again as a new pass (the server keeps what earlier passes wrote)`,
    );
  }
  if (!checkpoint || !Array.isArray(checkpoint.passes))
    throw new ExportVerificationError(`${file} is not an import checkpoint: remove it to import again as a new pass`);
  return checkpoint;
}

/** Appends lines to the reject log and syncs them before the checkpoint may point past them. */
function appendDurably(file: string, text: string): number {
  const fd = openSync(file, "a");
  try {
    if (text) writeSync(fd, text);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  return statSync(file).size;
}

export type ImportOptions = {
  exportDir: string;
  api: IngestApi;
  collector: string;
  label: string;
  /** Path for this pass's reject log, used when a new pass starts. */
  newRejectLog: () => string;
  batchSize: number;
  maxBytes?: number;
  /** Longest line read; a longer one is a reject (default DEFAULT_MAX_LINE_BYTES). */
  maxLineBytes?: number;
  /** Batches in flight at once (their results are applied in file order). */
  concurrency?: number;
  dryRun?: boolean;
  retry?: RetryOptions;
  now: () => Date;
  signal?: AbortSignal;
  onProgress?: (progress: ImportProgress) => void;
  /** Called once the pass is known (before any batch), e.g. to record it as running. */
  onPassStart?: (pass: {
    pass: number;
    role: string;
    keyPrefix: string;
    resumed: boolean;
    rejectLog: string | null;
  }) => void | Promise<void>;
};

export async function importExport(options: ImportOptions): Promise<ImportResult> {
  const manifest = readManifest(options.exportDir);
  await verifyExport(options.exportDir, manifest);
  const access = await retry(() => options.api.access(), options.retry);
  if (options.dryRun) return dryRunImport(options, manifest, access);

  const checkpointFile = path.join(options.exportDir, CHECKPOINT_FILE);
  const checkpoint = readCheckpoint(checkpointFile);
  let pass = checkpoint.passes.find((p) => p.role === access.role && p.keyPrefix === access.keyPrefix && !p.complete);
  const resumed = pass !== undefined;
  if (!pass) {
    pass = {
      pass: checkpoint.passes.reduce((max, p) => Math.max(max, p.pass), 0) + 1,
      role: access.role,
      keyPrefix: access.keyPrefix,
      label: options.label,
      batchSize: options.batchSize,
      maxBytes: options.maxBytes ?? MAX_BATCH_BYTES,
      maxLineBytes: options.maxLineBytes ?? DEFAULT_MAX_LINE_BYTES,
      rejectLog: path.resolve(options.newRejectLog()),
      startedAt: options.now().toISOString(),
      complete: false,
      tables: {},
    };
    checkpoint.passes.push(pass);
    appendDurably(pass.rejectLog, "");
    writeJsonAtomic(checkpointFile, checkpoint);
  }
  const current = pass;
  await options.onPassStart?.({
    pass: current.pass,
    role: current.role,
    keyPrefix: current.keyPrefix,
    resumed,
    rejectLog: current.rejectLog,
  });

  const result: ImportResult = {
    pass: current.pass,
    role: current.role,
    keyPrefix: current.keyPrefix,
    dryRun: false,
    resumed,
    interrupted: false,
    tables: {} as Record<SyncTable, ImportTableResult>,
    rejected: 0,
    rejectLog: current.rejectLog,
    batches: 0,
    replayedBatches: 0,
  };
  // Lines after the last recorded batch were never counted: cut them.
  const recordedBytes = Math.max(0, ...Object.values(current.tables).map((t) => t.rejectLogBytes));
  if (existsSync(current.rejectLog) && statSync(current.rejectLog).size > recordedBytes)
    truncateSync(current.rejectLog, recordedBytes);

  const save = () => writeJsonAtomic(checkpointFile, checkpoint);
  for (const entry of manifest.files) {
    const table = entry.table;
    const state: TableCheckpoint = (current.tables[table] ??= {
      line: 0,
      totals: zeroTotals(),
      rejectLogBytes: recordedBytes,
      done: false,
    });
    if (!state.done && !result.interrupted) {
      const outcome = await pushTable(options, entry, current, state, save);
      result.batches += outcome.batches;
      result.replayedBatches += outcome.replayed;
      if (outcome.interrupted) result.interrupted = true;
    }
    result.tables[table] = { ...state.totals, rows: state.line };
    result.rejected += state.totals.rejected;
  }
  if (!result.interrupted) {
    current.complete = true;
    save();
  }
  return result;
}

/** The HTTP status behind a failed push (through RetryError causes), if the server answered. */
function answeredStatus(error: unknown): number | undefined {
  for (
    let e = error, depth = 0;
    e && typeof e === "object" && depth < 5;
    e = (e as { cause?: unknown }).cause, depth++
  ) {
    const status = (e as { status?: unknown }).status;
    if (typeof status === "number") return status;
  }
  return undefined;
}

type Settled = { ok: true; result: IngestResult | null } | { ok: false; error: unknown };

async function pushTable(
  options: ImportOptions,
  entry: ManifestFile,
  pass: PassCheckpoint,
  state: TableCheckpoint,
  save: () => void,
) {
  const table = entry.table;
  const concurrency = Math.max(1, options.concurrency ?? 2);
  const inflight: { batch: Batch; settled: Promise<Settled> }[] = [];
  let batches = 0;
  let replayed = 0;

  const send = (batch: Batch): Promise<Settled> => {
    // A range of unreadable lines only: nothing to send, only rejects to log.
    if (batch.items.length === 0) return Promise.resolve({ ok: true, result: null });
    const body: Omit<IngestBatch, "idempotencyKey"> = {
      collector: options.collector,
      mode: IMPORT_MODE,
      runId: null,
      since: null,
      [table]: batch.items,
    };
    // Deterministic: the same pass sends the same batch under the same key (a
    // resumed pass is answered from the server's record). Well under 200 chars.
    const idempotencyKey = `cutover:${pass.label.slice(0, 60)}:p${pass.pass}:${pass.role.slice(0, 20)}-${pass.keyPrefix.slice(0, 40)}:${table}:${contentKey(body).slice(0, 32)}`;
    return retry(() => options.api.push({ ...body, idempotencyKey }), options.retry).then(
      (result) => ({ ok: true as const, result }),
      (error: unknown) => ({ ok: false as const, error }),
    );
  };

  // Results are applied strictly in file order, so the checkpoint's line is
  // always a prefix of the file that the server has fully answered for.
  const applyOldest = async () => {
    const { batch, settled } = inflight.shift()!;
    const outcome = await settled;
    type Entry = { line: number; key: string | null; reason: string; row: unknown; text?: string };
    const entries: Entry[] = batch.unreadable.map((u) => ({
      line: u.line,
      key: null,
      reason: u.reason,
      row: null,
      text: u.text,
    }));
    const counts = { ...zeroTotals(), rejected: batch.unreadable.length };
    if (outcome.ok && outcome.result) {
      addTotals(counts, outcome.result.tables[table]);
      for (const r of outcome.result.rejects) {
        if (r.table === table)
          entries.push({
            line: batch.lines[r.index] ?? batch.firstLine,
            key: r.key,
            reason: r.reason,
            row: batch.items[r.index] ?? null,
          });
      }
      if (outcome.result.replayed) replayed++;
    } else if (!outcome.ok && batch.items.length === 1 && answeredStatus(outcome.error) === 413) {
      // One row alone is over the server's body limit: no batch can carry it. A reject, not a stop.
      const item = batch.items[0];
      const key =
        item && typeof item === "object" ? (item as Record<string, unknown>)[syncTables[table].key] : undefined;
      entries.push({
        line: batch.lines[0]!,
        key: typeof key === "string" ? key.slice(0, 200) : null,
        reason: `refused by the server as too large (413): ${(outcome.error as Error).message}`,
        row: null,
      });
      counts.rejected++;
    } else if (!outcome.ok) {
      await Promise.all(inflight.map((f) => f.settled));
      inflight.length = 0;
      throw outcome.error;
    }
    const lines = entries
      .sort((a, b) => a.line - b.line)
      .map(
        (e) =>
          `${JSON.stringify({ table: entry.sqlite, server_table: entry.server, line: e.line, key: e.key, reason: e.reason, row: e.row, ...(e.text !== undefined ? { text: e.text } : {}) })}\n`,
      )
      .join("");
    state.rejectLogBytes = appendDurably(pass.rejectLog, lines);
    addTotals(state.totals, counts);
    state.line = batch.endLine;
    if (batch.items.length > 0) batches++;
    save();
    options.onProgress?.({
      table,
      sqlite: entry.sqlite,
      rows: state.line,
      total: entry.rows,
      totals: { ...state.totals },
      done: false,
    });
  };

  let interrupted = false;
  const file = path.join(options.exportDir, entry.file);
  const limits = {
    skipLines: state.line,
    maxItems: pass.batchSize,
    maxBytes: pass.maxBytes,
    maxLineBytes: pass.maxLineBytes ?? DEFAULT_MAX_LINE_BYTES,
  };
  for await (const batch of readBatches(file, limits)) {
    if (options.signal?.aborted) {
      interrupted = true;
      break;
    }
    inflight.push({ batch, settled: send(batch) });
    if (inflight.length >= concurrency) await applyOldest();
  }
  while (inflight.length > 0) await applyOldest();
  if (!interrupted && state.line === entry.rows) {
    state.done = true;
    save();
  }
  options.onProgress?.({
    table,
    sqlite: entry.sqlite,
    rows: state.line,
    total: entry.rows,
    totals: { ...state.totals },
    done: !interrupted,
  });
  return { batches, replayed, interrupted };
}

/**
 * Validates every item with the shared schemas and asks the server what it
 * holds for those keys: counts what a real pass would insert, update, leave
 * unchanged or reject. Writes nothing, on the server or in the export.
 */
async function dryRunImport(
  options: ImportOptions,
  manifest: ExportManifest,
  access: IngestAccess,
): Promise<ImportResult> {
  const result: ImportResult = {
    pass: 0,
    role: access.role,
    keyPrefix: access.keyPrefix,
    dryRun: true,
    resumed: false,
    interrupted: false,
    tables: {} as Record<SyncTable, ImportTableResult>,
    rejected: 0,
    rejectLog: null,
    batches: 0,
    replayedBatches: 0,
  };
  await options.onPassStart?.({
    pass: 0,
    role: access.role,
    keyPrefix: access.keyPrefix,
    resumed: false,
    rejectLog: null,
  });
  for (const entry of manifest.files) {
    const table = entry.table;
    const totals = zeroTotals();
    let rows = 0;
    const writable = access.writableTables.includes(table);
    const limits = {
      skipLines: 0,
      maxItems: ROWS_BY_KEYS_LIMIT,
      maxBytes: Number.MAX_SAFE_INTEGER,
      maxLineBytes: options.maxLineBytes ?? DEFAULT_MAX_LINE_BYTES,
    };
    for await (const batch of readBatches(path.join(options.exportDir, entry.file), limits)) {
      if (options.signal?.aborted) {
        result.interrupted = true;
        break;
      }
      rows = batch.endLine;
      totals.rejected += batch.unreadable.length;
      if (!writable) {
        totals.rejected += batch.items.length;
        continue;
      }
      const valid = new Map<string, Record<string, unknown>>();
      for (const raw of batch.items) {
        const parsed = parseLocalItem(table, raw);
        if (!parsed.ok) totals.rejected++;
        else valid.set(String(parsed.item[syncTables[table].key]), parsed.item);
      }
      if (valid.size === 0) continue;
      const byKey = await fetchServerRows(options.api, table, [...valid.keys()], options.retry);
      for (const [key, item] of valid) {
        const existing = byKey.get(key);
        if (!existing) totals.inserted++;
        else if (wouldUpdate(item, existing)) totals.updated++;
        else totals.unchanged++;
      }
      result.batches++;
      options.onProgress?.({
        table,
        sqlite: entry.sqlite,
        rows,
        total: entry.rows,
        totals: { ...totals },
        done: false,
      });
    }
    options.onProgress?.({ table, sqlite: entry.sqlite, rows, total: entry.rows, totals: { ...totals }, done: true });
    result.tables[table] = { ...totals, rows };
    result.rejected += totals.rejected;
    if (result.interrupted) break;
  }
  return result;
}
