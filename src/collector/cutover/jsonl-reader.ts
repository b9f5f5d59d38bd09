// An export file read as batches of items, line by line (memory stays flat).
// Lines are split on "\n" only, as the manifest counts them. A line that
// cannot be an item (not UTF-8, not JSON, blank, longer than the line limit)
// is a reject with its line number, like an item the server refuses, and a
// line is never read whole past the limit. The same file always gives the
// same batches from the same line, so a resumed import sends the same
// batches under the same keys.
import { createReadStream } from "node:fs";

/** Longest line read: the server's default body limit (INGEST_MAX_BODY_BYTES), which no longer line could pass. */
export const DEFAULT_MAX_LINE_BYTES = 8 * 1024 * 1024;
/** How much of an unreadable line the reject log shows. */
const PREVIEW_BYTES = 200;

/** A line that never became an item, with why. */
export type LineReject = { line: number; reason: string; text: string };
export type LineBatch = {
  items: unknown[];
  /** Each item's line as read (valid JSON): what the bulk path sends. */
  texts: string[];
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
): { ok: true; item: unknown; text: string; size: number } | { ok: false; reason: string; text: string } {
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
    return { ok: true, item: JSON.parse(decoded) as unknown, text: decoded, size: raw.bytes.length };
  } catch (error) {
    return { ok: false, reason: `unreadable line: not JSON (${(error as Error).message})`, text };
  }
}

/**
 * Batches of items from one JSONL file, starting after `skipLines`, bounded
 * by count and bytes; unreadable lines ride with the batch whose range they
 * fall in. The same file always gives the same batches from the same line.
 */
export async function* readLineBatches(
  file: string,
  options: { skipLines: number; maxItems: number; maxBytes: number; maxLineBytes: number },
): AsyncGenerator<LineBatch> {
  let line = 0;
  let items: unknown[] = [];
  let texts: string[] = [];
  let lines: number[] = [];
  let unreadable: LineReject[] = [];
  let bytes = 0;
  let firstLine = options.skipLines;
  const cut = (endLine: number): LineBatch => {
    const batch = { items, texts, lines, unreadable, firstLine, endLine };
    items = [];
    texts = [];
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
      texts.push(parsed.text);
      lines.push(line);
      bytes += parsed.size;
    } else {
      unreadable.push({ line, reason: parsed.reason, text: parsed.text });
    }
  }
  if (items.length > 0 || unreadable.length > 0) yield cut(line);
}
