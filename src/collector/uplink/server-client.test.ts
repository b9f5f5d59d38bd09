// ServerClient over a stand-in transport: every method retries under the
// client's one policy (and only what may pass on its own), rows-by-keys goes
// in calls of the shared limit, a missing run is null, and the cause-chain
// walker finds a status behind wrapping errors.
import { describe, expect, it } from "vitest";
import { ROWS_BY_KEYS_MAX_KEYS } from "~/shared/schemas/cutover";
import { causeChain, HttpError, statusInChain } from "./http-error";
import { RetryError } from "./retry";
import { serverClientOver, type ServerCalls } from "./server-client";

/** Every call fails `failures` times with `status`, then answers; counts calls per method. */
function flakyCalls(failures: number, status: number | undefined) {
  const calls = new Map<string, number>();
  const answer =
    (name: string, value: (input: unknown) => unknown) =>
    async (input?: unknown): Promise<never> => {
      const n = (calls.get(name) ?? 0) + 1;
      calls.set(name, n);
      if (n <= failures) throw new HttpError(`server answered ${status ?? "nothing"}`, status, undefined);
      return value(input) as never;
    };
  const transport = {
    push: answer("push", () => ({ replayed: false })),
    reportFailure: answer("reportFailure", () => ({})),
    reconcileCounts: answer("reconcileCounts", () => ({ takenAt: "t" })),
    recordReconcile: answer("recordReconcile", () => ({})),
    access: answer("access", () => ({ role: "ingest", keyPrefix: "k", writableTables: [] })),
    rowsByKeys: answer("rowsByKeys", (input) => (input as { keys: string[] }).keys.map((k) => ({ status_id: k }))),
    runById: answer("runById", () => ({ reports: [{ reportId: "r1" }] })),
    cutoverStart: answer("cutoverStart", () => ({ id: "c1" })),
    cutoverRecordStep: answer("cutoverRecordStep", () => ({})),
    postViewRest: answer("postViewRest", () => ({ status_id: "1" })),
  } as unknown as ServerCalls;
  return { transport, calls };
}

const noWait = { random: () => 0, sleep: async () => {} };

describe("ServerClient", () => {
  it("retries every method under its policy, and tells the observer which call", async () => {
    const { transport, calls } = flakyCalls(2, 503);
    const seen: string[] = [];
    const client = serverClientOver(transport, {
      ...noWait,
      maxAttempts: 3,
      onRetry: ({ call, attempt }) => void seen.push(`${call}#${attempt}`),
    });
    await client.push({ idempotencyKey: "k", collector: "c", mode: "priority" });
    await client.reportFailure({ collector: "c", mode: "priority", error: "x", attempts: 1 });
    await client.reconcileCounts(undefined);
    await client.recordReconcile({} as never);
    await client.access();
    await client.rowsByKeys({ table: "posts", keys: ["1"] });
    expect(await client.reportsOfRun("run")).toEqual(["r1"]);
    await client.cutoverStart({ label: "l", collector: "c", operator: "o", startedAt: "2026-01-01T00:00:00Z" });
    await client.cutoverRecordStep({} as never);
    await client.postViewRest("1");
    expect([...calls.values()]).toEqual(Array(10).fill(3));
    expect(seen.filter((s) => s.startsWith("push#"))).toEqual(["push#1", "push#2"]);
    expect(new Set(seen.map((s) => s.split("#")[0]))).toEqual(new Set(Object.keys(transport)));
  });

  it("does not retry what repeating cannot fix, and gives up after the policy's attempts", async () => {
    const refused = flakyCalls(5, 400);
    await expect(serverClientOver(refused.transport, noWait).access()).rejects.toBeInstanceOf(RetryError);
    expect(refused.calls.get("access")).toBe(1);
    const down = flakyCalls(5, undefined);
    await expect(serverClientOver(down.transport, { ...noWait, maxAttempts: 4 }).access()).rejects.toThrow(
      /gave up after 4 attempts/,
    );
    expect(down.calls.get("access")).toBe(4);
  });

  it("asks for any number of keys in calls of the shared limit, in order", async () => {
    const { transport, calls } = flakyCalls(0, undefined);
    const keys = Array.from({ length: 2 * ROWS_BY_KEYS_MAX_KEYS + 500 }, (_, i) => String(i));
    const rows = await serverClientOver(transport).rowsByKeys({ table: "posts", keys });
    expect(rows.map((r) => r.status_id)).toEqual(keys);
    expect(calls.get("rowsByKeys")).toBe(3);
    expect(await serverClientOver(transport).rowsByKeys({ table: "posts", keys: [] })).toEqual([]);
    expect(calls.get("rowsByKeys")).toBe(3);
  });

  it("reads a 404 for a run as no such run", async () => {
    const { transport } = flakyCalls(9, 404);
    expect(await serverClientOver(transport, noWait).reportsOfRun("gone")).toBeNull();
  });
});

describe("the cause chain", () => {
  it("finds the status behind a RetryError and a plain wrapper, and none when nothing answered", () => {
    const answered = new HttpError("server answered 413", 413, undefined);
    expect(statusInChain(new RetryError("gave up", 1, false, new Error("wrapped", { cause: answered })))).toBe(413);
    expect(statusInChain(new HttpError("cannot reach", undefined, undefined))).toBeUndefined();
    expect(statusInChain({ statusCode: 503 })).toBe(503);
  });

  it("stops on a cycle of causes", () => {
    const a: { cause?: unknown } = {};
    const b = { cause: a };
    a.cause = b;
    expect([...causeChain(a)].length).toBeLessThan(10);
  });
});
