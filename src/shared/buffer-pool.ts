// Buffers a piece of work needs for a while and then gives back, taken from
// and given back to a small pool rather than allocated each time: megabyte
// buffers that outlive V8's young generation (a bulk chunk lives through its
// transaction, a cutover chunk until its answer is recorded) would otherwise
// wait for a full collection to be freed, tens of MB of garbage in the
// process's RSS (docs/benchmarks.md). Reused, a process holds what its work
// in flight needs, and gives even that back once the work stops. The app's
// bulk path (src/server/ingest/bulk-buffers.ts) and the collector's cutover
// pass (src/collector/cutover/one-pass.ts) each keep one.

/** Sizes come in steps, so a buffer fits the next chunk of about the same size. */
function sizeClassOf(bytes: number): number {
  const step = bytes <= 1024 * 1024 ? 64 * 1024 : 1024 * 1024;
  return Math.max(step, Math.ceil(bytes / step) * step);
}

export type BufferPoolOptions = {
  /** Free buffers kept beyond this many bytes are left to the garbage collector. */
  maxFreeBytes: number;
  /** Free buffers are dropped once none was taken for this long. */
  idleMs: number;
};

export class BufferPool {
  /**
   * The buffers out with a taker: only these come back, and once (a second
   * give before the next take is ignored). Never memory the pool did not make,
   * such as a slice of Node's shared slab. A give after the buffer went to
   * its next taker cannot be told from that taker's: give each buffer back
   * once, when nothing reads it any more.
   */
  private readonly lent = new WeakSet<ArrayBuffer>();
  private free: Buffer[] = [];
  private freeBytes = 0;
  private lastTakenAt = 0;
  private idleTimer: NodeJS.Timeout | null = null;

  constructor(private readonly options: BufferPoolOptions) {}

  /** A whole buffer of at least `bytes`; what it holds is whatever its last user wrote. */
  take(bytes: number): Buffer {
    this.lastTakenAt = Date.now();
    // Not one much larger than asked: a body's buffer holding a COPY part would leave the next body none.
    const fits = (size: number) => size >= bytes && size <= 2 * sizeClassOf(bytes);
    let best = -1;
    for (let i = 0; i < this.free.length; i++) {
      const size = this.free[i]!.length;
      if (fits(size) && (best === -1 || size < this.free[best]!.length)) best = i;
    }
    let buf: Buffer;
    if (best === -1) buf = Buffer.allocUnsafeSlow(sizeClassOf(bytes));
    else {
      buf = this.free.splice(best, 1)[0]!;
      this.freeBytes -= buf.length;
    }
    this.lent.add(buf.buffer as ArrayBuffer);
    return buf;
  }

  /**
   * Gives back the buffer that `view` is (part of), if it is out with a
   * taker; anything else is ignored. The caller must hold no view of it any
   * more: its next taker overwrites it.
   */
  give(view: Uint8Array): void {
    if (!(view.buffer instanceof ArrayBuffer) || !this.lent.delete(view.buffer)) return;
    const buf = Buffer.from(view.buffer);
    if (this.freeBytes + buf.length > this.options.maxFreeBytes) return;
    this.free.push(buf);
    this.freeBytes += buf.length;
    this.scheduleIdleDrop();
  }

  /** Bytes held for reuse. */
  get heldBytes(): number {
    return this.freeBytes;
  }

  private scheduleIdleDrop(): void {
    if (this.idleTimer) return;
    const check = () => {
      const idleFor = Date.now() - this.lastTakenAt;
      if (idleFor >= this.options.idleMs) {
        this.free = [];
        this.freeBytes = 0;
        this.idleTimer = null;
        return;
      }
      this.idleTimer = setTimeout(check, this.options.idleMs - idleFor);
      this.idleTimer.unref();
    };
    this.idleTimer = setTimeout(check, this.options.idleMs);
    this.idleTimer.unref();
  }
}
