import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { IngestHealthStore, unreportedOf } from "./health-file";

let dir: string;
let file: string;
let now: Date;
const store = (threshold?: number) => new IngestHealthStore({ file, threshold, clock: () => now });

beforeEach(() => {
  dir = mkdtempSync(path.join(tmpdir(), "xmon-health-"));
  file = path.join(dir, "data", "ingest_health.json");
  now = new Date("2026-02-25T20:00:00Z");
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe("IngestHealthStore", () => {
  it("starts empty without a file", () => {
    expect(store().get("priority")).toEqual({
      consecutive_failures: 0,
      last_success_at: null,
      last_failure_at: null,
      last_error: null,
      pending_since: null,
      unreported: [],
    });
    expect(existsSync(file)).toBe(false);
  });

  it("counts failures, alerts from the threshold on, and resets on success", () => {
    const health = store();
    const first = health.recordFailure("priority", new Error("cannot reach http://localhost:3000 (ECONNREFUSED)"));
    expect(first).toEqual({
      consecutiveFailures: 1,
      thresholdReached: false,
      newlyReached: false,
      alertLine: undefined,
      cycle: {
        cycle_id: expect.stringMatching(/^priority:2026-02-25T20:00:00\.000Z:[0-9a-f]{8}$/),
        at: "2026-02-25T20:00:00.000Z",
        error: "cannot reach http://localhost:3000 (ECONNREFUSED)",
        attempts: 1,
        consecutive: 1,
      },
    });

    now = new Date("2026-02-25T20:10:00Z");
    const second = health.recordFailure("priority", new Error("server answered 503:\n  maintenance"));
    expect(second).toEqual({
      consecutiveFailures: 2,
      thresholdReached: true,
      newlyReached: true,
      alertLine:
        "ALERT: ingest failures threshold reached mode=priority consecutive_failures=2 threshold=2 last_error=server answered 503: maintenance",
      cycle: expect.objectContaining({ consecutive: 2, at: "2026-02-25T20:10:00.000Z" }),
    });
    const third = health.recordFailure("priority", "still down");
    expect(third).toMatchObject({ consecutiveFailures: 3, thresholdReached: true, newlyReached: false });
    expect(third.alertLine).toBe(
      "ALERT: ingest failures threshold reached mode=priority consecutive_failures=3 threshold=2 last_error=still down",
    );

    // Modes are counted separately.
    expect(health.get("discovery").consecutive_failures).toBe(0);

    now = new Date("2026-02-25T20:30:00Z");
    expect(health.recordSuccess("priority")).toEqual({
      previousFailures: 3,
      resetLine: "RECOVERED: ingest failures reset mode=priority previous_consecutive_failures=3 threshold=2",
    });
    expect(health.get("priority")).toEqual({
      consecutive_failures: 0,
      last_success_at: "2026-02-25T20:30:00.000Z",
      last_failure_at: "2026-02-25T20:10:00.000Z",
      last_error: "still down",
      pending_since: null,
      // Not reported yet (the ingest cycle reports them before its push): a success does not drop them.
      unreported: [first.cycle, second.cycle, third.cycle],
    });
    expect(health.recordSuccess("priority")).toEqual({ previousFailures: 0, resetLine: undefined });
    health.markReported("priority", [first.cycle.cycle_id, second.cycle.cycle_id]);
    expect(health.get("priority").unreported).toEqual([third.cycle]);
  });

  it("persists across instances (processes) and writes atomically, leaving no temporary files", () => {
    store().recordFailure("discovery", "x");
    expect(store(1).recordFailure("discovery", "y")).toMatchObject({
      consecutiveFailures: 2,
      thresholdReached: true,
      newlyReached: false,
    });
    expect(JSON.parse(readFileSync(file, "utf8"))).toEqual({
      discovery: {
        consecutive_failures: 2,
        last_success_at: null,
        last_failure_at: "2026-02-25T20:00:00.000Z",
        last_error: "y",
        pending_since: null,
        unreported: [
          expect.objectContaining({ consecutive: 1, error: "x" }),
          expect.objectContaining({ consecutive: 2, error: "y" }),
        ],
      },
    });
    expect(readdirSync(path.dirname(file))).toEqual(["ingest_health.json"]);
  });

  it("turns the streak of a file written before failed cycles were kept into one report at its length", () => {
    mkdirSync(path.dirname(file), { recursive: true });
    writeFileSync(
      file,
      JSON.stringify({
        priority: {
          consecutive_failures: 2,
          last_success_at: null,
          last_failure_at: "2026-02-25T19:50:00.000Z",
          last_error: "down",
        },
      }),
    );
    const legacy = { cycle_id: "priority:2026-02-25T19:50:00.000Z:streak", consecutive: 2, error: "down" };
    expect(unreportedOf("priority", store().get("priority"))).toEqual([expect.objectContaining(legacy)]);
    store().recordFailure("priority", "still down");
    expect(store().get("priority").unreported).toEqual([
      expect.objectContaining(legacy),
      expect.objectContaining({ consecutive: 3, error: "still down" }),
    ]);
  });

  it("keeps one bounded line of a long error", () => {
    const outcome = store(1).recordFailure("priority", `<html>\n${"x".repeat(2000)}</html>`);
    expect(outcome.alertLine!.split("\n")).toHaveLength(1);
    expect(store().get("priority").last_error).toHaveLength(500);
  });

  it("fails clearly on a damaged file and refuses a bad threshold", () => {
    writeFileSync(path.join(dir, "bad.json"), "{ not json");
    expect(() => new IngestHealthStore({ file: path.join(dir, "bad.json") }).read()).toThrow(
      /cannot read ingest health file .*bad.json/,
    );
    writeFileSync(path.join(dir, "shape.json"), JSON.stringify({ priority: { consecutive_failures: -1 } }));
    expect(() => new IngestHealthStore({ file: path.join(dir, "shape.json") }).read()).toThrow(
      /not in the expected shape/,
    );
    expect(() => store(0)).toThrow(/positive integer/);
  });

  it("keeps the earliest pending run until an ingest succeeds, and reads files written before the field existed", () => {
    const health = store();
    health.markPending("priority", "2026-02-25T20:00:00Z");
    health.markPending("priority", "2026-02-25T21:00:00Z");
    expect(health.get("priority").pending_since).toBe("2026-02-25T20:00:00.000Z");
    health.recordFailure("priority", "down");
    expect(health.get("priority").pending_since).toBe("2026-02-25T20:00:00.000Z");
    health.recordSuccess("priority");
    expect(health.get("priority").pending_since).toBeNull();
    writeFileSync(
      file,
      JSON.stringify({
        discovery: { consecutive_failures: 1, last_success_at: null, last_failure_at: null, last_error: "x" },
      }),
    );
    expect(health.get("discovery").pending_since).toBeNull();
  });
});
