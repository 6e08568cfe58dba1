/**
 * Per-provider admission limits: a token bucket (provider quotas such as 5 requests/s) and a
 * concurrency limit with a bounded queue. Both reject as `rejected_local`.
 */
import type { Clock } from './clock.js';

/**
 * A provider counts a call when it arrives, a moment after it leaves: a limit counted in windows
 * of a second keeps this much room at the window's edge, so a call on its way does not land in
 * the next second on top of that second's quota.
 */
const TRIP_MS = 10;

/** Anything that can say whether one more request may go now (local bucket, or a shared one). */
export interface RateLimiter {
  /**
   * Takes a turn and returns 0, or returns how many ms until one is available. `waitingSince`
   * is when the caller began waiting for it (default: now).
   */
  tryTake(now: number, waitingSince?: number): number;
}

/**
 * A token bucket kept as a schedule (GCRA): one turn every `1000 / rate` ms, up to `burst` at
 * once after a pause. A turn is charged to the time it was due rather than the moment a busy
 * event loop got round to granting it (never before the caller began waiting, and at most half
 * an interval early), so timer lateness does not slow the pace: a strict bucket loses it on
 * every turn, 5-8% of a 100-200/s limit under load. What that catch-up could add at a window's
 * edge is capped: never more than `burst - 1 + ceil(rate)` starts (what a strict bucket allows
 * in one second) in any second and TRIP_MS, so they arrive no closer either.
 */
export class TokenBucket implements RateLimiter {
  private interval: number;
  /** The bucket is full again at this time; a turn may start from `burst - 1` intervals before it. */
  private fullAt: number;
  /** Start times of the turns in the last second and TRIP_MS, oldest first. */
  private readonly starts: number[] = [];

  constructor(
    private ratePerSecond: number,
    private readonly burst: number,
    now: number,
  ) {
    this.interval = 1000 / ratePerSecond;
    this.fullAt = now;
  }

  get rate(): number {
    return this.ratePerSecond;
  }

  /** A new rate from `now` on: the turns owed are repaid at the new pace. */
  setRate(ratePerSecond: number, now: number): void {
    const interval = 1000 / ratePerSecond;
    this.fullAt = now + (Math.max(0, this.fullAt - now) * interval) / this.interval;
    this.interval = interval;
    this.ratePerSecond = ratePerSecond;
  }

  /** How many ms until a turn is available (0: now), without taking it. */
  waitFor(now: number): number {
    return Math.max(0, Math.ceil(this.dueAt(now) - now));
  }

  tryTake(now: number, waitingSince = now): number {
    const due = this.dueAt(now);
    if (due > now) return Math.ceil(due - now);
    const charged = Math.max(due, waitingSince, now - this.interval / 2);
    this.fullAt = Math.max(this.fullAt, charged) + this.interval;
    this.starts.push(now);
    return 0;
  }

  /** When the next turn is due: by the schedule, and by the one-second cap. */
  private dueAt(now: number): number {
    const scheduled = this.fullAt - (this.burst - 1) * this.interval;
    const span = 1000 + TRIP_MS;
    while (this.starts.length > 0 && this.starts[0]! <= now - span) this.starts.shift();
    const cap = this.burst - 1 + Math.ceil(this.ratePerSecond);
    return this.starts.length < cap ? scheduled : Math.max(scheduled, this.starts[this.starts.length - cap]! + span);
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
