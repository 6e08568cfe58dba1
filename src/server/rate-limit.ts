/**
 * The per-caller request limit: a fixed window per key that starts at the key's first request
 * (as @fastify/rate-limit does), so a caller cannot double its rate at a shared boundary.
 * One Map lookup per request; memory is bounded by `maxKeys` (expired windows are dropped
 * first, then the oldest). Written here rather than taken from @fastify/rate-limit because the
 * plugin cost about 12 µs of server CPU per request (an awaited `max` function, an LRU store
 * and header bookkeeping), about a tenth of a whole gateway request.
 */
interface Window {
  count: number;
  resetAt: number;
}

export class CallerRateLimiter {
  private readonly windows = new Map<string, Window>();

  constructor(
    private readonly windowMs = 60_000,
    private readonly maxKeys = 10_000,
  ) {}

  /** Counts one request of `key`; 0 when it is allowed, else the ms until its window resets. */
  take(key: string, limit: number, now: number): number {
    let w = this.windows.get(key);
    if (w === undefined || now >= w.resetAt) {
      if (w === undefined && this.windows.size >= this.maxKeys) this.evict(now);
      w = { count: 0, resetAt: now + this.windowMs };
      this.windows.set(key, w);
    }
    if (w.count >= limit) return Math.max(1, w.resetAt - now);
    w.count++;
    return 0;
  }

  /** The ms until `key` may make another request under `limit` (0: it may), without counting one. */
  waitFor(key: string, limit: number, now: number): number {
    const w = this.windows.get(key);
    return w !== undefined && now < w.resetAt && w.count >= limit ? Math.max(1, w.resetAt - now) : 0;
  }

  get size(): number {
    return this.windows.size;
  }

  private evict(now: number): void {
    for (const [k, w] of this.windows) if (now >= w.resetAt) this.windows.delete(k);
    // Still full of live windows: drop the oldest (a flood of distinct callers must not grow memory).
    while (this.windows.size >= this.maxKeys) this.windows.delete(this.windows.keys().next().value!);
  }
}
