/**
 * Admission of calls to one provider at the provider's own pace. A provider whose rate or
 * concurrency is full is *busy*, not failing: a call waits its turn in a first-come,
 * first-served queue while that turn can still start by its latest start (the invocation
 * deadline less the provider's usual latency), and is refused at once, so the chain can fail
 * over, when it cannot, when the queue is full, or when the chain's overflow is `failover`.
 *
 * The pace is the declared `ratePerSecond` (a limiter shared through Redis when instances share
 * one), narrowed by what the provider says about itself:
 * - `remaining: 0` until a reset (any window, headers or a 429 with its reset): no call starts
 *   before the reset;
 * - `remaining` and a reset within a minute (Apollo's minute, HubSpot's 10 seconds, X's
 *   15-minute window near its end): the remaining calls are spread evenly until the reset.
 *   Longer windows (an hour, a day) are not spread: the quota is the caller's to spend;
 * - a throttle (429) that said nothing else: the pace is cut to 90% of the calls the provider
 *   accepted in the last second (the ceiling), grows back by 2% of that a second up to 98% of
 *   the ceiling, probes past it by only 0.2% of it a second for 10 s, then grows by 2% a second
 *   again (additive increase, multiplicative decrease, slow near the last known limit, so
 *   throttles and the holds they bring are rare, yet a ceiling measured in a bad second, a
 *   pause of this process, costs at most those 10 s). Throttles of calls that started before the last cut do not cut again (they
 *   answer the old pace), so a burst of 429s is one cut. Without a declared limit the pace
 *   settles just under the provider's real one (`npm run bench:bulk`, (b)).
 */
import type { Clock, TimerHandle } from './clock.js';
import { ConcurrencyLimiter, TokenBucket, type RateLimiter } from './limits.js';
import type { RateLimitState } from './provider.js';

export type Admission =
  | { ok: true; release(): void }
  | { ok: false; code: 'GW_LOCAL_RATE_LIMIT' | 'GW_CONCURRENCY_LIMIT'; message: string; retryAfterMs?: number };

export interface AdmitOptions {
  /** Wait for a turn (overflow `wait`); false refuses at once when the provider is busy (`failover`). */
  wait: boolean;
  /** The latest time the call may start (epoch ms). */
  latestStart: number;
  /** Not before this time (a reset the provider announced). */
  notBefore?: number;
  /** Aborting it withdraws a waiting call. */
  signal?: AbortSignal | undefined;
}

export interface PacerOptions {
  /** Declared requests per second (0: none declared) and burst. */
  ratePerSecond: number;
  burst: number;
  /** Calls in flight at most (0: unlimited). */
  concurrency: number;
  /** Calls waiting at most: for a rate turn, and for a concurrency slot. */
  queue: number;
  clock: Clock;
  /** Replaces the local bucket of the declared rate (a limit shared by instances). */
  shared?: RateLimiter | undefined;
}

interface Waiter {
  /** When it began waiting: a turn due since then is charged to its due time. */
  since: number;
  latestStart: number;
  notBefore: number;
  settled: boolean;
  /** 0: the turn is granted; a number: refused, ms until a turn; null: refused (withdrawn). */
  settle(wait: number | null): void;
}

/** The slowest learned pace: one call in ten seconds. */
const MIN_LEARNED_RATE = 0.1;
/** After a bare throttle, the pace is this share of what the provider just accepted ... */
const DECREASE = 0.9;
/** ... and grows back by this share of it each second without one, ... */
const INCREASE_PER_SECOND = 0.02;
/** ... up to this share of the pace that was throttled, ... */
const NEAR_CEILING = 0.98;
/** ... past it by this share of it each second, ... */
const PROBE_PER_SECOND = 0.002;
/** ... for this long; then the pace grows as before. */
const PROBE_SECONDS = 10;
/** Windows that reset within this time are spread evenly; longer ones only hold at zero. */
const SPREAD_WINDOW_MS = 60_000;

export class Pacer {
  private readonly clock: Clock;
  private readonly declared: RateLimiter | null;
  private readonly declaredRate: number;
  private readonly concurrency: ConcurrencyLimiter | null;
  private readonly queueMax: number;
  private readonly waiters: Waiter[] = [];
  private timer: TimerHandle | undefined;

  /**
   * The pace learned from the provider, growing from `base` since `since`, slowly near
   * `ceiling` (the pace a throttle cut, when one did); null: the declared pace holds.
   */
  private learned: { base: number; since: number; ceiling: number | null; bucket: TokenBucket } | null = null;
  /** No call starts before this time: the provider said its window is spent until then. */
  private holdUntil = 0;
  /** When the pace was last cut: throttles of calls that started before it answer the old pace. */
  private lastCut = -Infinity;
  /** Calls the provider accepted, and calls started, in the current and the previous second. */
  private readonly accepted = new SecondCounter();
  private readonly started = new SecondCounter();

  constructor(o: PacerOptions) {
    this.clock = o.clock;
    this.declaredRate = o.ratePerSecond;
    this.declared = o.shared ?? (o.ratePerSecond > 0 ? new TokenBucket(o.ratePerSecond, Math.max(1, o.burst), o.clock.now()) : null);
    this.concurrency = o.concurrency > 0 ? new ConcurrencyLimiter(o.concurrency, o.queue, o.clock) : null;
    this.queueMax = o.queue;
  }

  /** Calls waiting for a rate turn now. */
  get waiting(): number {
    return this.waiters.length;
  }

  /** The pace in force (requests per second), or null when nothing limits it. */
  rateNow(now: number): number | null {
    const learned = this.learnedRate(now);
    const declared = this.declaredRate > 0 ? this.declaredRate : null;
    if (learned === null) return declared;
    return declared === null ? learned : Math.min(declared, learned);
  }

  /**
   * Roughly how long a call arriving now would wait for its turn (0: it would start now): the
   * provider's announced hold, the next token of each bucket, and one interval per call already
   * waiting. A full concurrency with nobody waiting counts as one interval (or 1 ms when no pace
   * is known), so a free provider is preferred to a merely busy one.
   */
  turnWait(now: number): number {
    const held = Math.max(0, this.holdUntil - now);
    const rate = this.rateNow(now);
    const interval = rate === null ? 1 : 1000 / rate;
    const bucket = Math.max(this.learned?.bucket.waitFor(now) ?? 0, this.declared instanceof TokenBucket ? this.declared.waitFor(now) : 0);
    const full = this.concurrency?.full === true ? interval : 0;
    return held + Math.max(bucket, full) + this.waiters.length * interval;
  }

  /**
   * A concurrency slot, then a rate turn; `release` gives the slot back when the call ends.
   * Answers synchronously when the provider is not busy (no wait, no queue), so calls that
   * arrive together start together.
   */
  admit(o: AdmitOptions): Admission | Promise<Admission> {
    const arrived = this.clock.now();
    const slot = this.concurrency ? this.concurrency.acquire(o.wait ? o.latestStart - arrived : 0) : true;
    if (slot === true && this.waiters.length === 0) {
      const wait = this.take(arrived, Math.max(o.notBefore ?? 0, this.holdUntil));
      if (wait === 0) return this.granted();
      if (!o.wait || arrived + wait > o.latestStart) return this.refused(arrived, wait);
    }
    return this.admitLater(o, arrived, slot);
  }

  private async admitLater(o: AdmitOptions, arrived: number, slot: boolean | Promise<boolean>): Promise<Admission> {
    if (!(await slot)) return { ok: false, code: 'GW_CONCURRENCY_LIMIT', message: 'concurrency limit reached' };
    const wait = await this.turn(o);
    return wait === 0 ? this.granted() : this.refused(arrived, wait);
  }

  private granted(): Admission {
    this.started.count(this.clock.now());
    return { ok: true, release: this.releaseSlot };
  }

  private readonly releaseSlot = (): void => this.concurrency?.release();

  /** Refused: the concurrency slot (if any) goes back; `wait` says when a turn may come. */
  private refused(arrived: number, wait: number | null): Admission {
    this.concurrency?.release();
    const refused = { ok: false as const, code: 'GW_LOCAL_RATE_LIMIT' as const, message: `busy: ${this.describe(arrived)}` };
    return wait === null ? refused : { ...refused, retryAfterMs: wait };
  }

  /** What the provider said about its window (an answer's headers, or a 429 with its reset). */
  noteRateLimit(state: RateLimitState, now: number): void {
    if (state.resetAt === null || state.remaining === null || state.resetAt <= now || state.window === 'credits') return;
    if (state.remaining <= 0) {
      this.holdUntil = Math.max(this.holdUntil, state.resetAt);
      return;
    }
    // A usage percent is not a count of calls; a long window is the caller's to spend.
    if (state.window === 'usage%' || state.resetAt - now > SPREAD_WINDOW_MS) return;
    this.setLearned(Math.max(MIN_LEARNED_RATE, (state.remaining * 1000) / (state.resetAt - now)), now, null);
  }

  /** The provider accepted a call (it answered without a throttle). */
  noteAccepted(now: number): void {
    this.accepted.count(now);
  }

  /**
   * A throttle (429) from the provider for a call that started at `startedAt`: hold until its
   * reset, and pace below what the provider just accepted (once per burst of throttles).
   */
  noteThrottle(retryAfterMs: number | undefined, now: number, startedAt: number): void {
    if (retryAfterMs !== undefined) this.holdUntil = Math.max(this.holdUntil, now + retryAfterMs);
    if (startedAt <= this.lastCut) return;
    // What the provider accepted in the last second; when it accepted nothing, what was sent.
    const accepted = this.accepted.lastSecond(now);
    const measured = accepted > 0 ? accepted : this.started.lastSecond(now);
    const current = this.rateNow(now);
    const base = measured > 0 ? Math.min(measured, current ?? measured) : (current ?? MIN_LEARNED_RATE);
    this.lastCut = now;
    this.setLearned(Math.max(MIN_LEARNED_RATE, base * DECREASE), now, base);
  }

  private learnedRate(now: number): number | null {
    if (!this.learned) return null;
    const { base, since, ceiling } = this.learned;
    const seconds = Math.max(0, now - since) / 1000;
    const grown = base * (1 + INCREASE_PER_SECOND * seconds);
    if (ceiling === null) return grown;
    const near = ceiling * NEAR_CEILING;
    if (grown <= near) return grown;
    const nearAfter = (near / base - 1) / INCREASE_PER_SECOND; // seconds from the cut
    const probing = Math.min(seconds - nearAfter, PROBE_SECONDS);
    const after = Math.max(0, seconds - nearAfter - PROBE_SECONDS);
    return near + ceiling * PROBE_PER_SECOND * probing + base * INCREASE_PER_SECOND * after;
  }

  private setLearned(rate: number, now: number, ceiling: number | null): void {
    if (this.learned) {
      this.learned.bucket.setRate(rate, now);
      Object.assign(this.learned, { base: rate, since: now, ceiling });
    } else {
      this.learned = { base: rate, since: now, ceiling, bucket: new TokenBucket(rate, 1, now) };
    }
    this.pump();
  }

  private describe(now: number): string {
    if (this.holdUntil > now) return `the provider's window is spent until ${new Date(this.holdUntil).toISOString()}`;
    const r = this.rateNow(now);
    return r === null ? 'no turn before the deadline' : `rate limit of ${Math.round(r * 100) / 100}/s reached`;
  }

  /** 0 when the call may start now; when refused, ms until a turn (null: none in sight, or withdrawn). */
  private async turn(o: AdmitOptions): Promise<number | null> {
    const now = this.clock.now();
    const notBefore = Math.max(o.notBefore ?? 0, this.holdUntil);
    if (this.waiters.length === 0) {
      const wait = this.take(now, notBefore);
      if (wait === 0) return 0;
      if (!o.wait || now + wait > o.latestStart) return wait;
    } else {
      const expected = this.expectedWait(now, notBefore);
      if (!o.wait || this.waiters.length >= this.queueMax) return expected;
      if (expected !== null && now + expected > o.latestStart) return expected;
    }
    if (o.signal?.aborted) return null;
    return new Promise<number | null>((resolve) => {
      const onAbort = (): void => {
        waiter.settle(null);
        this.pump();
      };
      const waiter: Waiter = {
        since: now,
        latestStart: o.latestStart,
        notBefore: o.notBefore ?? 0,
        settled: false,
        settle: (wait) => {
          if (waiter.settled) return;
          waiter.settled = true;
          o.signal?.removeEventListener('abort', onAbort);
          resolve(wait);
        },
      };
      o.signal?.addEventListener('abort', onAbort, { once: true });
      this.waiters.push(waiter);
      this.pump();
    });
  }

  /**
   * Grants turns in arrival order as the pace allows, and refuses a waiter whose turn would come
   * too late: the head as soon as that is known, any other waiter by its latest start at the latest.
   */
  private pump(): void {
    this.timer?.cancel();
    this.timer = undefined;
    const now = this.clock.now();
    let wait = 0;
    while (this.waiters.length > 0) {
      const head = this.waiters[0]!;
      if (head.settled) {
        this.waiters.shift();
        continue;
      }
      wait = this.take(now, Math.max(head.notBefore, this.holdUntil), head.since);
      if (wait > 0 && now + wait <= head.latestStart) break;
      this.waiters.shift();
      head.settle(wait);
    }
    if (this.waiters.length === 0) return;
    // Behind the head, a waiter whose latest start has come is refused now; the next such time wakes the pump.
    let wake = now + wait;
    for (const w of this.waiters.slice(1)) {
      if (w.settled) continue;
      if (w.latestStart <= now) w.settle(wait);
      else wake = Math.min(wake, w.latestStart);
    }
    this.timer = this.clock.setTimeout(() => this.pump(), wake - now);
    this.timer.keepAlive?.(true); // a waiting call is awaited work
  }

  /**
   * Takes a turn at `now` (0), or says how long until one may come; a turn is taken only when
   * every limit allows it. `since`: when the caller began waiting (default: now).
   */
  private take(now: number, notBefore: number, since = now): number {
    if (now < notBefore) return notBefore - now;
    const learned = this.learned?.bucket;
    if (learned) {
      const rate = this.learnedRate(now)!;
      if (rate !== learned.rate) learned.setRate(rate, now);
      const wait = learned.waitFor(now);
      if (wait > 0) return wait;
    }
    const wait = this.declared?.tryTake(now, since) ?? 0;
    if (wait === 0) learned?.tryTake(now, since);
    return wait;
  }

  /** Roughly when a call arriving now would get its turn behind the queue (null: no pace known). */
  private expectedWait(now: number, notBefore: number): number | null {
    const rate = this.rateNow(now);
    const held = Math.max(0, notBefore - now);
    if (rate === null) return held > 0 ? held : null;
    return held + Math.ceil(((this.waiters.length + 1) * 1000) / rate);
  }
}

/** Events counted per second, for "how many in the last second". */
class SecondCounter {
  private second = 0;
  private current = 0;
  private previous = 0;

  count(now: number): void {
    this.roll(now);
    this.current++;
  }

  /** The previous second's share that still falls in the last second, plus this second's. */
  lastSecond(now: number): number {
    this.roll(now);
    return this.previous * (1 - (now % 1000) / 1000) + this.current;
  }

  private roll(now: number): void {
    const second = Math.floor(now / 1000);
    if (second === this.second) return;
    this.previous = second === this.second + 1 ? this.current : 0;
    this.current = 0;
    this.second = second;
  }
}
