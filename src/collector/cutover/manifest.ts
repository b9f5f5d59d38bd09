// An export's manifest.json, checked whole before the import sends anything:
// its shape, one entry per table under the export's own file name, then each
// file's size, SHA-256 and line count, and no file cut short mid-line.
import { createHash } from "node:crypto";
import { createReadStream, existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { z } from "zod";
import { syncTableNames, syncTables, type SyncTable } from "~/shared/schemas/tables";
import { exportFileName, MANIFEST_FILE, type ExportManifest } from "./paths";
import { zodIssueLines } from "~/shared/zod-errors";

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
    const issues = zodIssueLines(parsed.error, { max: 3, root: "manifest" });
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
