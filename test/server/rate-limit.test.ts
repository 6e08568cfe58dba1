import { describe, expect, it } from 'vitest';
import { CallerRateLimiter } from '../../src/server/rate-limit.js';

describe('CallerRateLimiter', () => {
  it('allows `limit` requests per key per window that starts at the first request, then says how long to wait', () => {
    const l = new CallerRateLimiter(60_000);
    const t0 = 1_000_000;
    expect([l.take('a', 2, t0), l.take('a', 2, t0 + 10), l.take('a', 2, t0 + 20)]).toEqual([0, 0, 59_980]);
    expect(l.take('b', 2, t0 + 20)).toBe(0); // another key has its own window
    expect(l.take('a', 2, t0 + 59_999)).toBe(1);
    expect(l.take('a', 2, t0 + 60_000)).toBe(0); // a new window for a
  });

  it('keeps memory bounded under a flood of distinct callers: expired windows go first, then the oldest', () => {
    const l = new CallerRateLimiter(1_000, 100);
    for (let i = 0; i < 100; i++) l.take(`old-${i}`, 5, 0);
    expect(l.size).toBe(100);
    l.take('new-after-expiry', 5, 2_000); // every old window has expired: all dropped
    expect(l.size).toBe(1);
    for (let i = 0; i < 500; i++) l.take(`flood-${i}`, 5, 2_500);
    expect(l.size).toBeLessThanOrEqual(100);
    expect(l.take('flood-499', 1, 2_600)).toBeGreaterThan(0); // the newest caller is still counted
  });
});
