// A ServerClient for collector tests that need no real server: the test
// supplies the calls it expects; any other call fails the test loudly.
import type { ServerClient } from "../../src/collector/uplink/server-client";

const names = [
  "push",
  "pushBulk",
  "heldChunk",
  "reportFailure",
  "reconcileCounts",
  "recordReconcile",
  "reconcileSegments",
  "reconcileRowHashes",
  "access",
  "rowsByKeys",
  "serverKeys",
  "reportsOfRun",
  "cutoverStart",
  "cutoverRecordStep",
  "postViewRest",
  "runRemovalPreview",
  "removeRun",
] as const satisfies readonly (keyof ServerClient)[];

export function fakeServerClient<T extends Partial<ServerClient>>(calls: T): ServerClient & T {
  const unexpected = Object.fromEntries(
    names.map((name) => [
      name,
      () => {
        throw new Error(`${name} is not expected by this test`);
      },
    ]),
  ) as unknown as ServerClient;
  return { ...unexpected, ...calls };
}
