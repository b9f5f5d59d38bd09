import { describe, expect, it } from "vitest";
import { ConcurrencyGate } from "./concurrency-gate";

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe("ConcurrencyGate", () => {
  it("runs at most `limit` at once, in order, and refuses a waiter past its wait with 503", async () => {
    const gate = new ConcurrencyGate(2);
    let running = 0;
    let peak = 0;
    const order: number[] = [];
    const work = (i: number, ms: number) => async () => {
      running++;
      peak = Math.max(peak, running);
      order.push(i);
      await sleep(ms);
      running--;
      return i;
    };
    const options = { waitMs: 200, busyMessage: "busy" };
    const outcomes = await Promise.allSettled([
      gate.run(work(1, 50), options),
      gate.run(work(2, 50), options),
      gate.run(work(3, 50), options),
      gate.run(work(4, 50), options),
      gate.run(work(5, 400), { ...options, waitMs: 5000 }),
      gate.run(work(6, 400), { ...options, waitMs: 5000 }),
      gate.run(work(7, 10), { ...options, waitMs: 150 }),
    ]);
    expect(peak).toBe(2);
    expect(order).toEqual([1, 2, 3, 4, 5, 6]);
    expect(outcomes[6]).toMatchObject({
      status: "rejected",
      reason: { code: "SERVICE_UNAVAILABLE", details: { retryAfterSeconds: 2 } },
    });
    expect(outcomes.slice(0, 6).every((o) => o.status === "fulfilled")).toBe(true);
    expect(gate.inUse).toBe(0);
  });

  it("frees the slot when the work throws", async () => {
    const gate = new ConcurrencyGate(1);
    await expect(
      gate.run(() => Promise.reject(new Error("boom")), { waitMs: 10, busyMessage: "busy" }),
    ).rejects.toThrow("boom");
    await expect(gate.run(() => Promise.resolve(7), { waitMs: 10, busyMessage: "busy" })).resolves.toBe(7);
  });
});
