/**
 * A per-provider rate limit shared by every instance: fixed one-second windows counted in
 * Redis (`INCRBY` on `<prefix>rl:<provider>:<second>`, expiring with the window). The engine's
 * `RateLimiter.tryTake(now)` is synchronous, so each instance holds a small local allowance
 * leased from the current window in batches; a token leased for second S is only spent in
 * second S, and not in its last EDGE_MS, so the sum over all instances never exceeds the quota
 * in any window, even counted where the provider counts it, on arrival a moment later (the
 * quota tends to be spent at once when a second opens, so the edge costs nothing under load; a
 * call that finds it spent near the end waits into the next second, it is not lost). Without it
 * a call sent at the end of one second arrived in the next, where the quota was spent again:
 * 101 to 108 calls in one second for a 100/s limit in `npm run bench:bulk`; with 10 ms, still
 * 107 once, at a job's start, when a busy event loop took longer between a call's turn and its
 * arrival. When the
 * local allowance is empty the call is refused at once (`rejected_local`, the chain fails over
 * or the outbox retries) while a refill is fetched in the background.
 */
import type { Redis } from 'ioredis';
import type { RateLimiter } from '../../core/limits.js';

/** No token is spent in the last EDGE_MS of its second: room for the call's way to the provider. */
const EDGE_MS = 100;

// KEYS[1] window counter; ARGV: want, limit, ttlMs. Returns how many were granted.
const LEASE = `
local used = tonumber(redis.call('GET', KEYS[1]) or '0')
local free = tonumber(ARGV[2]) - used
if free <= 0 then return 0 end
local n = math.min(free, tonumber(ARGV[1]))
redis.call('INCRBY', KEYS[1], n)
redis.call('PEXPIRE', KEYS[1], ARGV[3])
return n
`;

export interface SharedRateLimiterOptions {
  redis: Redis;
  prefix: string;
  provider: string;
  /** Requests per second across all instances. */
  ratePerSecond: number;
  /** Tokens leased per round trip (default: a quarter of the quota, at least 1). */
  batch?: number;
}

export class SharedRateLimiter implements RateLimiter {
  private window = -1;
  private tokens = 0;
  private refilling = false;
  /** The window where Redis said the quota is spent (no refill until the next one). */
  private exhausted = -1;
  private readonly limit: number;
  private readonly batch: number;

  constructor(private readonly o: SharedRateLimiterOptions) {
    this.limit = Math.max(1, Math.floor(o.ratePerSecond));
    this.batch = Math.max(1, Math.min(this.limit, o.batch ?? Math.ceil(this.limit / 4)));
  }

  tryTake(now: number): number {
    const w = Math.floor(now / 1000);
    const left = (w + 1) * 1000 - now;
    if (left <= EDGE_MS) return left;
    if (w !== this.window) {
      this.window = w;
      this.tokens = 0; // a token of another window is never spent
    }
    if (this.tokens > 0) {
      this.tokens--;
      if (this.tokens === 0) this.refill(w);
      return 0;
    }
    this.refill(w);
    return this.exhausted === w ? (w + 1) * 1000 - now : 5;
  }

  /** Fetches a batch for window `w` now (also used to warm up before traffic). */
  refill(w: number = Math.floor(Date.now() / 1000)): void {
    if (this.refilling || this.exhausted === w) return;
    this.refilling = true;
    this.o.redis
      .eval(LEASE, 1, `${this.o.prefix}rl:${this.o.provider}:${w}`, String(this.batch), String(this.limit), '2000')
      .then((n) => {
        const granted = Number(n);
        if (this.window === w) this.tokens += granted;
        if (granted === 0) this.exhausted = w;
      })
      .catch(() => undefined)
      .finally(() => {
        this.refilling = false;
      });
  }
}
