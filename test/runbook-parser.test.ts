// The runbook runner's reading of a runbook: which blocks run, what they
// expect, and that an expected line which is not there fails.
import { describe, expect, it } from "vitest";
import { linePattern, matchExpected, parseRunbook } from "./support/runbook";

const doc = [
  "# A runbook",
  "```sh",
  "not run: an example",
  "```",
  "```sh runbook id=snap",
  "collector cutover snapshot",
  "```",
  "```text expect",
  "snapshot ok: integrity_check ok on …/x_monitor.cutover.<stamp>.db",
  "```",
  "```sh runbook id=import exit=1",
  "collector cutover import",
  "```",
].join("\n");

describe("runbook blocks", () => {
  it("runs only ```sh runbook blocks, with their id, exit code and expected lines", () => {
    expect(parseRunbook(doc)).toEqual([
      {
        id: "snap",
        exit: 0,
        script: "collector cutover snapshot",
        expect: ["snapshot ok: integrity_check ok on …/x_monitor.cutover.<stamp>.db"],
        line: 5,
      },
      { id: "import", exit: 1, script: "collector cutover import", expect: [], line: 11 },
    ]);
  });

  it("captures <name> words, matches them again later, and treats a wide gap as any column width", () => {
    const out =
      "noise\nsnapshot ok: integrity_check ok on /h/x_monitor.cutover.20260226_060708.db\nruns      460     461      +1";
    const captured = matchExpected(
      out,
      ["snapshot ok: integrity_check ok on …/x_monitor.cutover.<stamp>.db", "runs  460  461  +1"],
      {},
    );
    expect(captured).toEqual({ stamp: "20260226_060708" });
    expect(
      linePattern("export ok in …/export_cutover_<stamp>", captured).test(
        "export ok in /h/export_cutover_20260226_060708",
      ),
    ).toBe(true);
    expect(
      linePattern("export ok in …/export_cutover_<stamp>", captured).test(
        "export ok in /h/export_cutover_20990101_000000",
      ),
    ).toBe(false);
  });

  it("fails when an expected line is missing or out of order", () => {
    expect(() => matchExpected("b\na", ["a", "b"], {})).toThrow(/expected a line like\n {2}b/);
    expect(() => matchExpected("reconcile FAIL", ["reconcile PASS"], {})).toThrow(/reconcile PASS/);
  });
});
