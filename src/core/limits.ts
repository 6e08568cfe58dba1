/**
 * Per-provider admission limits: a token bucket (provider quotas such as 5 requests/s) and a
 * concurrency limit with a bounded queue. Both reject as `rejected_local`.
 */
import type { Clock } from './clock.js';

/** Anything that can say whether one more request may go now (local bucket, or a shared one). */
export interface RateLimiter {
  /** Takes a token and returns 0, or returns how many ms until one is available. */
  tryTake(now: number): number;
}

export class TokenBucket implements RateLimiter {
  private tokens: number;
  private last: number;

  constructor(
    private ratePerSecond: number,
    private readonly burst: number,
    now: number,
  ) {
    this.tokens = burst;
    this.last = now;
  }

  get rate(): number {
    return this.ratePerSecond;
  }

  /** A new refill rate from `now` on (what accrued before is kept). */
  setRate(ratePerSecond: number, now: number): void {
    this.refill(now);
    this.ratePerSecond = ratePerSecond;
  }

  /** How many ms until a token is available (0: now), without taking it. */
  waitFor(now: number): number {
    this.refill(now);
    return this.tokens >= 1 ? 0 : Math.ceil(((1 - this.tokens) * 1000) / this.ratePerSecond);
  }

  tryTake(now: number): number {
    this.refill(now);
    if (this.tokens >= 1) {
      this.tokens -= 1;
      return 0;
    }
    return Math.ceil(((1 - this.tokens) * 1000) / this.ratePerSecond);
  }

  private refill(now: number): void {
    if (now > this.last) {
      this.tokens = Math.min(this.burst, this.tokens + ((now - this.last) * this.ratePerSecond) / 1000);
      this.last = now;
    }
  }
}

export class ConcurrencyLimiter {
  private active = 0;
  private readonly waiters: { resolve: (ok: boolean) => void; done: boolean }[] = [];

  constructor(
    private readonly max: number,
    private readonly queue: number,
    private readonly clock: Clock,
  ) {}

  get inFlight(): number {
    return this.active;
  }

  /** Every slot is taken. */
  get full(): boolean {
    return this.active >= this.max;
  }

  /** Resolves true with a slot, or false when the queue is full or `waitMs` passes first. */
  acquire(waitMs: number): boolean | Promise<boolean> {
    if (this.active < this.max) {
      this.active++;
      return true;
    }
    if (this.waiters.length >= this.queue || waitMs <= 0) return false;
    return new Promise<boolean>((resolve) => {
      const waiter = { resolve, done: false };
      this.waiters.push(waiter);
      const timer = this.clock.setTimeout(() => {
        if (waiter.done) return;
        waiter.done = true;
        this.waiters.splice(this.waiters.indexOf(waiter), 1);
        resolve(false);
      }, waitMs);
      waiter.resolve = (ok) => {
        timer.cancel();
        resolve(ok);
      };
    });
  }

  release(): void {
    const next = this.waiters.shift();
    if (next) {
      next.done = true;
      next.resolve(true); // the slot passes straight to the waiter
    } else if (this.active > 0) {
      this.active--;
    }
  }
}
