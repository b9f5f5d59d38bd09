// The bulk path's buffer pool: a buffer given back is the next one taken of
// about its size, nothing it did not make comes into it, it keeps at most
// its bound and drops everything once idle; a request body read into it is
// the body as sent, whatever its chunks.
import { afterEach, describe, expect, it, vi } from "vitest";
import { readBodyBytesWithLimit } from "../http/read-body";
import { BufferPool } from "~/shared/buffer-pool";

const MB = 1024 * 1024;
/** Whether two buffers are the same memory (the pool hands out its own view of a buffer given back). */
const same = (a: Buffer, b: Buffer) => a.buffer === b.buffer;
const pool = (maxFreeBytes = 64 * MB) => new BufferPool({ maxFreeBytes, idleMs: 30_000 });

afterEach(() => vi.useRealTimers());

describe("BufferPool", () => {
  it("gives the buffer given back to the next taker of about its size, by any view of it", () => {
    const p = pool();
    const body = p.take(2.5 * MB);
    expect(body.length).toBeGreaterThanOrEqual(2.5 * MB);
    p.give(body.subarray(100, 200));
    p.give(body); // twice: held once
    expect(p.heldBytes).toBe(body.length);
    expect(same(p.take(2.2 * MB), body)).toBe(true);
    expect(p.heldBytes).toBe(0);
    // Taken, not given back: the next one is new.
    expect(same(p.take(2.2 * MB), body)).toBe(false);
  });

  it("never takes in memory it did not make", () => {
    const p = pool();
    p.give(Buffer.alloc(4 * MB));
    // A slice of Node's shared slab: reusing it would overwrite other buffers.
    p.give(Buffer.from("a small string from the shared slab"));
    p.give(new BufferPool({ maxFreeBytes: MB, idleMs: 1 }).take(300 * 1024));
    expect(p.heldBytes).toBe(0);
  });

  it("does not hand a much larger buffer to a small taker", () => {
    const p = pool();
    const large = p.take(4 * MB);
    p.give(large);
    const part = p.take(320 * 1024);
    expect(same(part, large)).toBe(false);
    expect(part.length).toBe(320 * 1024);
    expect(same(p.take(3 * MB), large)).toBe(true);
  });

  it("keeps at most its bound of free bytes", () => {
    const p = pool(5 * MB);
    const [a, b] = [p.take(3 * MB), p.take(3 * MB)];
    p.give(a);
    p.give(b);
    expect(p.heldBytes).toBe(3 * MB);
  });

  it("drops what it holds once nothing was taken for its idle time", () => {
    vi.useFakeTimers();
    const p = pool();
    p.give(p.take(MB));
    vi.advanceTimersByTime(20_000);
    p.give(p.take(MB)); // taken again: the idle time starts over
    vi.advanceTimersByTime(20_000);
    expect(p.heldBytes).toBe(MB);
    vi.advanceTimersByTime(10_001);
    expect(p.heldBytes).toBe(0);
  });
});

describe("reading a request body into the pool", () => {
  const sent = Buffer.from(Array.from({ length: 40_000 }, (_, i) => `line ${i} é🚀\n`).join(""));
  const request = (declared: boolean) =>
    new Request("http://app.test/api/v1/ingest/bulk", {
      method: "POST",
      headers: declared ? { "content-length": String(sent.length) } : {},
      // In pieces, as a socket delivers them.
      body: new ReadableStream({
        start(controller) {
          for (let at = 0; at < sent.length; at += 65_536) controller.enqueue(sent.subarray(at, at + 65_536));
          controller.close();
        },
      }),
      duplex: "half",
    } as RequestInit);

  it("reads the body as sent, into a buffer the pool takes back, with or without a declared length", async () => {
    for (const declared of [true, false]) {
      const p = pool();
      const bytes = await readBodyBytesWithLimit(request(declared), 8 * MB, p);
      expect(Buffer.from(bytes).equals(sent)).toBe(true);
      // Grown without a declared length: the smaller buffers went back as it grew.
      const heldWhileReading = p.heldBytes;
      expect(declared ? heldWhileReading : heldWhileReading > 0).toBe(declared ? 0 : true);
      p.give(bytes);
      expect(p.heldBytes).toBeGreaterThan(heldWhileReading);
    }
  });

  it("refuses a body over the limit and keeps its buffer", async () => {
    const p = pool();
    await expect(readBodyBytesWithLimit(request(false), 100_000, p)).rejects.toThrow(/INGEST_MAX_BODY_BYTES/);
    expect(p.heldBytes).toBeGreaterThan(0);
  });
});
