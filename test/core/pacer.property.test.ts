/**
 * Properties of the pacer (src/core/pacer.ts) over random arrivals, limits and provider signals,
 * on fake time: never more starts than the rate allows in any window, never more calls in flight
 * than the concurrency, no start before a reset the provider announced, waiting calls served in
 * arrival order, and no call (granted or refused) that outlives its latest start.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ManualClock, type Clock } from '../../src/core/clock.js';
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
        // Never more starts in a window than the burst plus the rate over the window, plus the half
        // turn a waiting call may be charged early (timers here fire on whole milliseconds) ...
        const at = starts.map((x) => x.at).sort((x, y) => x - y);
        for (let i = 0; i < at.length; i++)
          for (let j = i; j < at.length; j++)
            expect(j - i + 1).toBeLessThanOrEqual(s.burst + (s.ratePerSecond * (at[j]! - at[i]!)) / 1000 + 0.5 + 1e-6);
        // ... and never more in any one second than a strict bucket would allow.
        const perSecond = s.burst - 1 + Math.ceil(s.ratePerSecond);
        for (let i = 0; i < at.length; i++)
          expect(at.filter((t) => t >= at[i]! && t < at[i]! + 1000).length).toBeLessThanOrEqual(perSecond);
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
    // Ten calls accepted in the last second, then a 429 without a window: 90% of 10/s, growing 2% of that
    // a second up to 98% of the 10/s that was throttled (after 4.44 s), then 0.2% of it a second for
    // 10 s, then 2% of the 9/s a second again.
    const learner = new Pacer({ ratePerSecond: 0, burst: 1, concurrency: 0, queue: 100, clock });
    const started = clock.now();
    for (let i = 0; i < 10; i++) learner.noteAccepted(clock.now());
    learner.noteThrottle(undefined, clock.now(), started);
    expect(learner.rateNow(clock.now())).toBeCloseTo(9, 5);
    expect(learner.rateNow(clock.now() + 4_000)).toBeCloseTo(9.72, 5);
    expect(learner.rateNow(clock.now() + 10_000)).toBeCloseTo(9.8 + 0.02 * (10 - 0.8 / 0.18), 5);
    expect(learner.rateNow(clock.now() + 30_000)).toBeCloseTo(10 + 0.18 * (30 - 0.8 / 0.18 - 10), 5);
    // More throttles of calls that started before that cut answer the old pace: no second cut.
    learner.noteThrottle(undefined, clock.now(), started);
    expect(learner.rateNow(clock.now())).toBeCloseTo(9, 5);
    await clock.advance(1);
    learner.noteThrottle(undefined, clock.now(), clock.now());
    expect(learner.rateNow(clock.now())).toBeLessThan(9);
  });

  it('keeps the schedule when timers fire late (a busy event loop): the full rate (less the 1% kept for the trip), never more than it in any second', async () => {
    const clock = new ManualClock(1_000_000);
    // Every timer fires 0-4 ms after it was due, as on a loaded event loop.
    let timers = 0;
    const late: Clock = {
      now: () => clock.now(),
      setTimeout: (fn, ms) => clock.setTimeout(fn, ms + ((timers++ * 7) % 5)),
      sleep: (ms, sig) => clock.sleep(ms, sig),
    };
    const pacer = new Pacer({ ratePerSecond: 100, burst: 1, concurrency: 0, queue: 1_000, clock: late });
    const starts: number[] = [];
    const end = clock.now() + 10_000;
    const worker = async (): Promise<void> => {
      while (clock.now() < end) {
        const admission = await pacer.admit({ wait: true, latestStart: clock.now() + 60_000 });
        if (admission.ok) starts.push(clock.now());
      }
    };
    const workers = Promise.all(Array.from({ length: 8 }, worker));
    while (clock.now() < end + 100) await clock.advance(1);
    await workers;
    // A strict bucket restarts its interval at each late grant: about 1000 / 12 ms = 83 a second.
    expect(starts.filter((t) => t < end).length).toBeGreaterThanOrEqual(985);
    for (const t of starts) expect(starts.filter((u) => u >= t && u < t + 1010).length).toBeLessThanOrEqual(100);
  });
});
