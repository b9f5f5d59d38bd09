// The cutover's artifacts and the collector's state files are the
// operator's alone (0600 files, 0700 folders) and are never written through
// a symbolic link planted where they go.
import {
  existsSync,
  lstatSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildLegacyDatabase } from "../../../test/support/legacy-fixture";
import { IngestHealthStore } from "../health/health-file";
import { writeJsonAtomic } from "../util/atomic-file";
import { exportSnapshot } from "./export";
import {
  cutoverStamp,
  exportDirPath,
  rejectLogPath,
  snapshotPath,
  stampOfSnapshot,
  unusedPath,
  validateReportPath,
} from "./paths";
import { noteCleanup, stampOf, type CutoverState } from "./session";
import { snapshotDatabase } from "./snapshot";

let dir: string;
let live: string;
const now = () => new Date("2026-11-22T01:02:03.000Z");
const modeOf = (file: string) => statSync(file).mode & 0o777;

beforeAll(() => {
  dir = mkdtempSync(path.join(tmpdir(), "xm-artifacts-"));
  live = path.join(dir, "live.db");
  buildLegacyDatabase(live, {
    tweets: 20,
    reports: 2,
    watchAccounts: 3,
    runs: 2,
    embeddings: 5,
    summaries: 1,
    shifts: 1,
  });
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function victim(name: string): string {
  const file = path.join(dir, name);
  writeFileSync(file, "not yours\n");
  return file;
}

describe("artifact names: the report's, by the cutover's own stamp", () => {
  it("one stamp per cutover names every artifact; reject logs by the key's role; a validate after a cleanup apart", () => {
    const stamp = cutoverStamp(new Date("2026-02-26T06:07:08.900Z"));
    expect(stamp).toBe("20260226_060708");
    const d = "/var/xm";
    expect(
      [
        snapshotPath(d, stamp),
        exportDirPath(d, stamp),
        rejectLogPath(d, "ingest", stamp),
        rejectLogPath(d, "admin", stamp),
        validateReportPath(d, stamp),
        validateReportPath(d, stamp, true),
      ].map((p) => path.relative(d, p)),
    ).toEqual([
      "x_monitor.cutover.20260226_060708.db",
      "export_cutover_20260226_060708",
      "import_rejects_cutover_20260226_060708.ndjson",
      "import_rejects_cutover_admin_20260226_060708.ndjson",
      "validate_cutover_20260226_060708.json",
      "validate_cutover_post_cleanup_20260226_060708.json",
    ]);
    expect(stampOfSnapshot(snapshotPath(d, stamp))).toBe(stamp);
  });

  it("the stamp is the cutover's start, kept in its state (older state files: from startedAt)", () => {
    const state = { startedAt: "2026-02-26T06:07:08.900Z", stamp: "20260226_060708" } as CutoverState;
    expect(stampOf(state)).toBe("20260226_060708");
    expect(stampOf({ ...state, stamp: undefined })).toBe("20260226_060708");
  });

  it("a removal during a cutover in progress is noted, so its next validate is the post-cleanup one", () => {
    const dataDir = path.join(dir, "cleanup");
    mkdirSync(dataDir);
    const at = "2026-02-26T07:00:00.000Z";
    expect(noteCleanup(dataDir, { runId: "r1", at })).toBe(false);
    writeJsonAtomic(path.join(dataDir, "cutover.state.json"), { startedAt: at, finished: false, rejectLogs: [] });
    expect(noteCleanup(dataDir, { runId: "r1", at })).toBe(true);
    const state = JSON.parse(readFileSync(path.join(dataDir, "cutover.state.json"), "utf8")) as CutoverState;
    expect(state.cleanups).toEqual([{ runId: "r1", at }]);
    writeJsonAtomic(path.join(dataDir, "cutover.state.json"), { ...state, finished: true });
    expect(noteCleanup(dataDir, { runId: "r2", at })).toBe(false);
  });

  it("a second artifact of the same name gets _2 rather than replacing the first", () => {
    const file = path.join(dir, "validate_cutover_20260226_060708.json");
    writeFileSync(file, "{}");
    expect(path.basename(unusedPath(file))).toBe("validate_cutover_20260226_060708_2.json");
  });
});

describe("artifacts", () => {
  it("snapshot: 0600 in a 0700 data folder, past a dangling link at its name, whose target stays uncreated", async () => {
    const dataDir = path.join(dir, "data-snapshot");
    mkdirSync(dataDir, { mode: 0o700 });
    const planted = path.join(dir, "created-through-the-link.db");
    symlinkSync(planted, snapshotPath(dataDir, cutoverStamp(now())));
    const snapshot = await snapshotDatabase({ source: live, dataDir, now });
    expect(path.basename(snapshot.path)).toBe(`x_monitor.cutover.${cutoverStamp(now())}_2.db`);
    expect(existsSync(planted)).toBe(false);
    expect(modeOf(snapshot.path)).toBe(0o600);
    expect(modeOf(dataDir)).toBe(0o700);
  });

  it("snapshot: a new data folder is created 0700", async () => {
    const dataDir = path.join(dir, "fresh", "data");
    await snapshotDatabase({ source: live, dataDir, now });
    expect(modeOf(dataDir)).toBe(0o700);
  });

  it("export: folder 0700, every file and the manifest 0600", async () => {
    const outDir = path.join(dir, "export-private");
    await exportSnapshot({ snapshot: live, outDir, now });
    expect(modeOf(outDir)).toBe(0o700);
    const files = readdirSync(outDir);
    expect(files).toContain("manifest.json");
    for (const file of files) expect({ file, mode: modeOf(path.join(outDir, file)) }).toEqual({ file, mode: 0o600 });
  });

  it("export: refuses to write a table's file through a link, leaving its target as it was", async () => {
    const outDir = path.join(dir, "export-linked");
    mkdirSync(outDir);
    const file = victim("victim-export.txt");
    symlinkSync(file, path.join(outDir, "tweets.jsonl"));
    await expect(exportSnapshot({ snapshot: live, outDir, now })).rejects.toThrow(/ELOOP/);
    expect(readFileSync(file, "utf8")).toBe("not yours\n");
    expect(existsSync(path.join(outDir, "manifest.json"))).toBe(false);
  });

  it("state files (checkpoint, manifest, report, cutover state, health): 0600, a link at the name replaced, not followed", () => {
    const file = victim("victim-state.txt");
    const target = path.join(dir, "state", "import.checkpoint.json");
    mkdirSync(path.dirname(target));
    symlinkSync(file, target);
    writeJsonAtomic(target, { version: 1, passes: [] });
    expect(lstatSync(target).isSymbolicLink()).toBe(false);
    expect(modeOf(target)).toBe(0o600);
    expect(readFileSync(file, "utf8")).toBe("not yours\n");

    const healthFile = path.join(dir, "health", "ingest_health.json");
    new IngestHealthStore({ file: healthFile, threshold: 3 }).recordFailure("priority", "down");
    expect(modeOf(healthFile)).toBe(0o600);
    expect(modeOf(path.dirname(healthFile))).toBe(0o700);
  });
});
