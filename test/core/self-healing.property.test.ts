/**
 * Properties of self-healing over random fault episodes, on a manual clock:
 * - a recovered primary serves again within its open period plus one trial interval;
 * - during a fault episode a passing probe never makes the provider read HEALTHY, and after
 *   it the provider turns HEALTHY once and stays so (one opening, one resolution);
 * - panic trials stay within the retry budget.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createProviderChain } from '../../src/core/build.js';
import { ManualClock } from '../../src/core/clock.js';
import { GatewayError } from '../../src/core/errors.js';
import type { Provider } from '../../src/core/provider.js';

class Faulty implements Provider {
  readonly type = 'faulty';
  calls = 0;
  failing = false;
  constructor(
    readonly name: string,
    private readonly code: 'GW_PROVIDER_TRANSIENT' | 'GW_PROVIDER_TIMEOUT' = 'GW_PROVIDER_TRANSIENT',
  ) {}
  async invoke(): Promise<unknown> {
    this.calls++;
    if (this.failing) throw new GatewayError(this.code, `${this.name} failing`, { provider: this.name });
    return { by: this.name };
  }
  async probe(): Promise<void> {}
}

describe('self-healing properties (fast-check)', () => {
  it('a recovered primary serves again within its open period plus one trial interval', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.record({
          faultCalls: fc.integer({ min: 1, max: 30 }),
          gapMs: fc.integer({ min: 1, max: 4_000 }),
          openMs: fc.integer({ min: 1_000, max: 30_000 }),
          trialIntervalMs: fc.integer({ min: 500, max: 10_000 }),
          consecutiveFailures: fc.integer({ min: 1, max: 6 }),
          code: fc.constantFrom<'GW_PROVIDER_TRANSIENT' | 'GW_PROVIDER_TIMEOUT'>('GW_PROVIDER_TRANSIENT', 'GW_PROVIDER_TIMEOUT'),
          withProbes: fc.boolean(),
        }),
        async (s) => {
          const clock = new ManualClock();
          const primary = new Faulty('primary', s.code);
          const backup = new Faulty('backup');
          const chain = createProviderChain({
            capability: 'recovery',
            sideEffects: false,
            clock,
            random: () => 0.5,
            providers: [primary, backup],
            breaker: {
              consecutiveFailures: s.consecutiveFailures,
              openMs: s.openMs,
              jitter: 0,
              trialIntervalMs: Math.min(s.trialIntervalMs, s.openMs),
            },
            policy: { retry: { maxAttemptsPerProvider: 1 } },
          });
          const tracked = chain.getProvider('primary')!;
          primary.failing = true;
          for (let i = 0; i < s.faultCalls; i++) {
            await chain.invoke({});
            if (s.withProbes && i % 3 === 0) await tracked.probe();
            await clock.advance(s.gapMs);
          }
          primary.failing = false;
          const recoveredAt = clock.now();
          const st = tracked.status().toJSON();
          const bound = Math.max(recoveredAt, st.openUntil ?? recoveredAt) + Math.min(s.trialIntervalMs, s.openMs);
          // Traffic keeps flowing after the recovery; steps grow with a long open period so a run stays short.
          const step = Math.max(s.gapMs, Math.ceil((bound - recoveredAt) / 200));
          const served: { at: number; by: string }[] = [];
          while (clock.now() <= bound + 3 * step) {
            served.push({ at: clock.now(), by: (await chain.invoke({})).provider });
            await clock.advance(step);
          }
          const firstAfterBound = served.findIndex((x) => x.at >= bound);
          // From the first invocation at or after the bound, the primary serves every call.
          expect(served.slice(firstAfterBound).every((x) => x.by === 'primary')).toBe(true);
        },
      ),
      { numRuns: 150 },
    );
  });

  it('a fault episode opens once and resolves once: passing probes never read HEALTHY while real calls fail', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.constantFrom<'call' | 'probe' | 'wait'>('call', 'probe', 'wait'), { minLength: 5, maxLength: 60 }),
        fc.integer({ min: 1, max: 40 }),
        async (steps, recoverAfter) => {
          const clock = new ManualClock();
          const primary = new Faulty('primary');
          const backup = new Faulty('backup');
          const chain = createProviderChain({
            capability: 'episode',
            sideEffects: true,
            clock,
            random: () => 0.5,
            providers: [primary, backup],
            breaker: { consecutiveFailures: 2, openMs: 5_000, jitter: 0, trialIntervalMs: 2_000 },
            policy: { retry: { maxAttemptsPerProvider: 1 } },
          });
          const tracked = chain.getProvider('primary')!;
          await chain.invoke({}); // HEALTHY before the episode
          const transitions: { to: string; during: boolean }[] = [];
          let during = true;
          tracked.onHealthChange((e) => transitions.push({ to: e.to, during }));
          primary.failing = true;
          await chain.invoke({}); // the episode begins with a real failure
          const run = async (step: 'call' | 'probe' | 'wait') => {
            if (step === 'call') await chain.invoke({});
            else if (step === 'probe') await tracked.probe();
            else await clock.advance(1_500);
          };
          for (const [i, step] of steps.entries()) {
            if (i === recoverAfter) {
              primary.failing = false;
              during = false;
            }
            await run(step);
          }
          if (during) {
            primary.failing = false;
            during = false;
          }
          // Enough traffic after the fault for the primary to be tried again (its open period may have grown).
          const openUntil = tracked.status().toJSON().openUntil ?? clock.now();
          for (let i = 0; i < 4 || clock.now() <= openUntil + 2_000; i++) {
            await chain.invoke({});
            await clock.advance(1_500);
          }
          expect(transitions.filter((t) => t.during && t.to === 'HEALTHY')).toEqual([]);
          const after = transitions.filter((t) => !t.during);
          expect(after.filter((t) => t.to === 'HEALTHY').length).toBe(1);
          expect(after.at(-1)!.to).toBe('HEALTHY');
        },
      ),
      { numRuns: 150 },
    );
  });

  it('panic trials never exceed the retry budget', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 10, max: 300 }),
        fc.double({ min: 0.05, max: 0.5, noNaN: true }),
        fc.integer({ min: 1, max: 50 }),
        async (n, ratio, gapMs) => {
          const clock = new ManualClock();
          const providers = [new Faulty('a'), new Faulty('b'), new Faulty('c')];
          for (const p of providers) p.failing = true;
          const chain = createProviderChain({
            capability: 'budget',
            sideEffects: false,
            clock,
            providers,
            breaker: { consecutiveFailures: 1, openMs: 3_600_000, jitter: 0, trialIntervalMs: 1 },
            policy: { retry: { maxAttemptsPerProvider: 1, budgetRatio: ratio, budgetMinPerSecond: 0.1 } },
          });
          for (let i = 0; i < n; i++) {
            await chain.invoke({}).catch(() => undefined);
            await clock.advance(gapMs);
          }
          const calls = providers.reduce((sum, p) => sum + p.calls, 0);
          // The first invocation's first call is free; every other call was an extra attempt paid from
          // the budget: at most ratio x the invocations of the last 10 s (floor 1 per 10 s), per 10 s.
          const windows = Math.ceil((n * gapMs) / 10_000) + 1;
          expect(calls - 1).toBeLessThanOrEqual(windows * (Math.max(1, ratio * Math.min(n, 10_000 / gapMs)) + 1));
        },
      ),
      { numRuns: 60 },
    );
  });
});
