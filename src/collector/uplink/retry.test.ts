import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { backoffMs, isRetryableError, retry, retryAfterSecondsOf, RetryError } from "./retry";

class HttpError extends Error {
  constructor(
    readonly status: number | undefined,
    readonly retryAfterSeconds?: number,
  ) {
    super(`status ${status}`);
  }
}

/** Returns the randoms in order, then repeats the last. */
const randoms = (...values: number[]) => {
  let i = 0;
  return () => values[Math.min(i++, values.length - 1)]!;
};

describe("isRetryableError", () => {
  it.each([500, 502, 503, 504, 408, 409, 425, 429])("retries status %i", (status) => {
    expect(isRetryableError(new HttpError(status))).toBe(true);
  });
  it.each([400, 401, 403, 404, 413, 422, 200])("does not retry status %i", (status) => {
    expect(isRetryableError(new HttpError(status))).toBe(false);
  });
  it("retries when no answer arrived: status undefined, socket codes, fetch failed, timeouts", () => {
    expect(isRetryableError(new HttpError(undefined))).toBe(true);
    expect(isRetryableError(Object.assign(new Error("connect"), { code: "ECONNREFUSED" }))).toBe(true);
    expect(
      isRetryableError(
        new TypeError("fetch failed", { cause: Object.assign(new Error("x"), { code: "UND_ERR_SOCKET" }) }),
      ),
    ).toBe(true);
    expect(isRetryableError(new DOMException("timed out", "TimeoutError"))).toBe(true);
    expect(isRetryableError({ statusCode: 503 })).toBe(true);
  });
  it("does not retry programming errors", () => {
    expect(isRetryableError(new TypeError("x is not a function"))).toBe(false);
    expect(isRetryableError(new Error("boom"))).toBe(false);
    expect(isRetryableError("text")).toBe(false);
  });
});

describe("retryAfterSecondsOf", () => {
  it("reads seconds, numeric strings and HTTP dates", () => {
    expect(retryAfterSecondsOf({ retryAfterSeconds: 7 })).toBe(7);
    expect(retryAfterSecondsOf({ retryAfter: "12" })).toBe(12);
    expect(
      retryAfterSecondsOf({ retryAfter: "Wed, 25 Feb 2026 20:00:30 GMT" }, Date.parse("2026-02-25T20:00:00Z")),
    ).toBe(30);
    expect(retryAfterSecondsOf({ retryAfter: "soon" })).toBeUndefined();
    expect(retryAfterSecondsOf(new Error("x"))).toBeUndefined();
  });
});

describe("backoffMs", () => {
  const base = { previousMs: 1000, initialMs: 1000, maxMs: 60_000 };
  it("full jitter: random share of the doubled, capped backoff", () => {
    expect([1, 2, 3, 4].map((retry) => backoffMs({ ...base, retry, jitter: "full", random: () => 0.5 }))).toEqual([
      500, 1000, 2000, 4000,
    ]);
    expect(backoffMs({ ...base, retry: 10, jitter: "full", random: () => 1 })).toBe(60_000);
    expect(backoffMs({ ...base, retry: 3, jitter: "full", random: () => 0 })).toBe(0);
  });
  it("decorrelated jitter: between initial and three times the previous delay, capped", () => {
    expect(backoffMs({ ...base, retry: 1, jitter: "decorrelated", random: () => 0.5 })).toBe(2000);
    expect(backoffMs({ ...base, previousMs: 2000, retry: 2, jitter: "decorrelated", random: () => 0.5 })).toBe(3500);
    expect(backoffMs({ ...base, previousMs: 2000, retry: 2, jitter: "decorrelated", random: () => 0 })).toBe(1000);
    expect(backoffMs({ ...base, previousMs: 50_000, retry: 5, jitter: "decorrelated", random: () => 1 })).toBe(60_000);
  });
});

describe("retry", () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  /** Runs `retry` under fake timers and records when each attempt started. */
  function timed<T>(fn: (attempt: number) => Promise<T>, options: Parameters<typeof retry>[1]) {
    const start = Date.now();
    const at: number[] = [];
    const promise = retry(async (attempt) => {
      at.push(Date.now() - start);
      return fn(attempt);
    }, options);
    promise.catch(() => undefined);
    return { promise, at };
  }

  it("waits the exact full-jitter delays between attempts, then gives up after maxAttempts", async () => {
    const delays: number[] = [];
    const { promise, at } = timed(
      async () => {
        throw new HttpError(503);
      },
      { random: randoms(0.5, 0.25, 1), onRetry: (i) => delays.push(i.delayMs) },
    );
    await vi.runAllTimersAsync();
    const error = await promise.catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RetryError);
    expect(error).toMatchObject({ attempts: 4, retryable: true, message: "status 503 (gave up after 4 attempts)" });
    expect(delays).toEqual([500, 500, 4000]);
    expect(at).toEqual([0, 500, 1000, 5000]);
  });

  it("does not sleep before the time is up", async () => {
    let calls = 0;
    const { promise } = timed(
      async () => {
        if (++calls < 3) throw new HttpError(undefined);
        return "ok";
      },
      { random: () => 1, initialBackoffSeconds: 2 },
    );
    await vi.advanceTimersByTimeAsync(1999);
    expect(calls).toBe(1);
    await vi.advanceTimersByTimeAsync(1);
    expect(calls).toBe(2);
    await vi.advanceTimersByTimeAsync(3999);
    expect(calls).toBe(2);
    await vi.advanceTimersByTimeAsync(1);
    await expect(promise).resolves.toBe("ok");
  });

  it("uses decorrelated jitter when asked", async () => {
    const { promise, at } = timed(
      async () => {
        throw new HttpError(429);
      },
      { jitter: "decorrelated", random: randoms(0.5, 0.5, 0), maxAttempts: 4 },
    );
    await vi.runAllTimersAsync();
    await expect(promise).rejects.toThrow(RetryError);
    // 1000 + 0.5·(3000−1000) = 2000; 1000 + 0.5·(6000−1000) = 3500; 1000 + 0·… = 1000
    expect(at).toEqual([0, 2000, 5500, 6500]);
  });

  it("honours Retry-After when it is longer than the backoff", async () => {
    let calls = 0;
    const { promise, at } = timed(
      async () => {
        if (++calls === 1) throw new HttpError(429, 30);
        if (calls === 2) throw new HttpError(503, 0);
        return calls;
      },
      { random: () => 0.5 },
    );
    await vi.runAllTimersAsync();
    await expect(promise).resolves.toBe(3);
    expect(at).toEqual([0, 30_000, 31_000]);
  });

  it("gives up at once when Retry-After is beyond the allowed wait", async () => {
    const { promise, at } = timed(
      async () => {
        throw new HttpError(429, 3600);
      },
      { maxRetryAfterSeconds: 300 },
    );
    await vi.runAllTimersAsync();
    await expect(promise).rejects.toMatchObject({
      attempts: 1,
      retryable: true,
      message: expect.stringContaining("retry after 3600 s"),
    });
    expect(at).toEqual([0]);
  });

  it("does not retry other 4xx", async () => {
    const { promise, at } = timed(async () => {
      throw new HttpError(422);
    }, {});
    await vi.runAllTimersAsync();
    await expect(promise).rejects.toMatchObject({
      attempts: 1,
      retryable: false,
      message: "status 422 (not retryable, attempt 1)",
    });
    expect(at).toEqual([0]);
  });

  it("returns the first success and passes the attempt number", async () => {
    const seen: number[] = [];
    const { promise } = timed(
      async (attempt) => {
        seen.push(attempt);
        if (attempt < 2) throw new HttpError(500);
        return "done";
      },
      { random: () => 0 },
    );
    await vi.runAllTimersAsync();
    await expect(promise).resolves.toBe("done");
    expect(seen).toEqual([1, 2]);
  });

  it("refuses a non-positive maxAttempts", async () => {
    await expect(retry(async () => 1, { maxAttempts: 0 })).rejects.toThrow(/positive integer/);
  });
});
