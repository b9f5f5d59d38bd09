// At most `limit` holders at a time; the rest wait in order, each for at most
// `waitMs`, then are told the server is busy. Heavy reads go through one, so
// however many a reader sends, they hold only some of the pool's connections
// and ingest always finds one free.
import { AppError } from "./errors";

export class ConcurrencyGate {
  private active = 0;
  private readonly waiting: { admit: () => void }[] = [];

  constructor(readonly limit: number) {}

  get inUse(): number {
    return this.active;
  }

  async run<T>(work: () => Promise<T>, options: { waitMs: number; busyMessage: string }): Promise<T> {
    await this.enter(options);
    try {
      return await work();
    } finally {
      this.leave();
    }
  }

  private enter(options: { waitMs: number; busyMessage: string }): Promise<void> {
    if (this.active < this.limit) {
      this.active++;
      return Promise.resolve();
    }
    return new Promise((resolve, reject) => {
      const entry = {
        admit: () => {
          clearTimeout(timer);
          resolve();
        },
      };
      const timer = setTimeout(() => {
        this.waiting.splice(this.waiting.indexOf(entry), 1);
        reject(new AppError("SERVICE_UNAVAILABLE", options.busyMessage, { retryAfterSeconds: 2 }));
      }, options.waitMs);
      this.waiting.push(entry);
    });
  }

  private leave(): void {
    const next = this.waiting.shift();
    // The slot passes straight to the next waiter; `active` stays the same.
    if (next) next.admit();
    else this.active--;
  }
}
