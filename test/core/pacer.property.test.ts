/**
 * Properties of the pacer (src/core/pacer.ts) over random arrivals, limits and provider signals,
 * on fake time: never more starts than the rate allows in any window, never more calls in flight
 * than the concurrency, no start before a reset the provider announced, waiting calls served in
 * arrival order, and no call (granted or refused) that outlives its latest start.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/core/clock.js';
import { Pacer } from '../../src/core/pacer.js';

const scenarioArb = fc.record({
  ratePerSecond: fc.double({ min: 0.5, max: 50, noNaN: true }),
  burst: fc.integer({ min: 1, max: 5 }),
  concurrency: fc.integer({ min: 0, max: 4 }),
  queue: fc.integer({ min: 0, max: 40 }),
  wait: fc.boolean(),
  arrivals: fc.array(
    fc.record({
      gapMs: fc.integer({ min: 0, max: 300 }),
      deadlineMs: fc.integer({ min: 0, max: 5_000 }),
      durationMs: fc.integer({ min: 0, max: 400 }),
    }),
    { minLength: 1, maxLength: 60 },
  ),
  /** A provider answer saying its window is spent until a reset, at some arrival. */
  hold: fc.option(fc.record({ atArrival: fc.nat(59), forMs: fc.integer({ min: 1, max: 3_000 }) }), { nil: undefined }),
});

describe('pacer properties (fast-check)', () => {
  it('holds the rate, the concurrency, announced resets, arrival order and every latest start', async () => {
    await fc.assert(
      fc.asyncProperty(scenarioArb, async (s) => {
        const clock = new ManualClock(1_000_000);
        const pacer = new Pacer({ ratePerSecond: s.ratePerSecond, burst: s.burst, concurrency: s.concurrency, queue: s.queue, clock });
        const starts: { at: number; arrival: number; queued: boolean }[] = [];
        const settledLate: number[] = [];
        let inFlight = 0;
        let maxInFlight = 0;
        let hold: { from: number; until: number } | undefined;
        const calls: Promise<void>[] = [];
        for (const [i, a] of s.arrivals.entries()) {
          await clock.advance(a.gapMs);
          const arrived = clock.now();
          if (s.hold && s.hold.atArrival === i) {
            hold = { from: arrived, until: arrived + s.hold.forMs };
            pacer.noteRateLimit({ window: 'minute', remaining: 0, limit: 10, resetAt: hold.until }, arrived);
          }
          const latestStart = arrived + a.deadlineMs;
          const queued = pacer.waiting > 0;
          calls.push(
            Promise.resolve(pacer.admit({ wait: s.wait, latestStart })).then(async (admission) => {
              const now = clock.now();
              if (now > latestStart) settledLate.push(now - latestStart);
              if (!admission.ok) return;
              starts.push({ at: now, arrival: i, queued });
              maxInFlight = Math.max(maxInFlight, ++inFlight);
              await clock.sleep(a.durationMs);
              inFlight--;
              admission.release();
            }),
          );
        }
        let done = false;
        void Promise.all(calls).then(() => (done = true));
        for (let t = 0; !done && t < 30_000; t += 10) await clock.advance(10);
        expect(done).toBe(true);

        // No call, granted or refused, is answered after its latest start.
        expect(settledLate).toEqual([]);
        // Never more in flight than the concurrency.
        if (s.concurrency > 0) expect(maxInFlight).toBeLessThanOrEqual(s.concurrency);
        // Never more starts in a window than the burst plus the rate over the window.
        const at = starts.map((x) => x.at).sort((x, y) => x - y);
        for (let i = 0; i < at.length; i++)
          for (let j = i; j < at.length; j++)
            expect(j - i + 1).toBeLessThanOrEqual(s.burst + (s.ratePerSecond * (at[j]! - at[i]!)) / 1000 + 1e-6);
        // Nothing starts while the provider said its window is spent (a call admitted before the news, in the same ms, may).
        if (hold) {
          const heardAt = s.hold!.atArrival;
          for (const x of starts) expect(x.at >= hold.until || x.at < hold.from || (x.at === hold.from && x.arrival < heardAt)).toBe(true);
        }
        // Calls that waited are served in the order they arrived (without a concurrency limit reordering them).
        if (s.concurrency === 0) {
          const waited = starts.filter((x) => x.queued);
          for (let i = 1; i < waited.length; i++) expect(waited[i]!.arrival).toBeGreaterThan(waited[i - 1]!.arrival);
        }
      }),
      { numRuns: 150 },
    );
  });

  it('learns a pace: spreads what remains of a short window, and cuts the pace below the accepted rate after a bare throttle', async () => {
    const clock = new ManualClock(1_000_000);
    const pacer = new Pacer({ ratePerSecond: 0, burst: 1, concurrency: 0, queue: 100, clock });
    expect(pacer.rateNow(clock.now())).toBeNull();
    pacer.noteRateLimit({ window: '10s', remaining: 50, limit: 100, resetAt: clock.now() + 10_000 }, clock.now());
    expect(pacer.rateNow(clock.now())).toBeCloseTo(5, 5);
    // A daily window is the caller's to spend: it is not spread.
    const daily = new Pacer({ ratePerSecond: 0, burst: 1, concurrency: 0, queue: 100, clock });
    daily.noteRateLimit({ window: 'day', remaining: 500, limit: 1_000, resetAt: clock.now() + 3_600_000 }, clock.now());
    expect(daily.rateNow(clock.now())).toBeNull();
    // Ten calls accepted in the last second, then a 429 without a window: 90% of 10/s, growing 2% of that a second.
    const learner = new Pacer({ ratePerSecond: 0, burst: 1, concurrency: 0, queue: 100, clock });
    const started = clock.now();
    for (let i = 0; i < 10; i++) learner.noteAccepted(clock.now());
    learner.noteThrottle(undefined, clock.now(), started);
    expect(learner.rateNow(clock.now())).toBeCloseTo(9, 5);
    expect(learner.rateNow(clock.now() + 10_000)).toBeCloseTo(10.8, 5);
    // More throttles of calls that started before that cut answer the old pace: no second cut.
    learner.noteThrottle(undefined, clock.now(), started);
    expect(learner.rateNow(clock.now())).toBeCloseTo(9, 5);
    await clock.advance(1);
    learner.noteThrottle(undefined, clock.now(), clock.now());
    expect(learner.rateNow(clock.now())).toBeLessThan(9);
  });
});
