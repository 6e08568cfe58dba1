/**
 * Property-based tests of the engine's invariants over random outcome sequences, timings and
 * policies, on a manual clock.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createProviderChain } from '../../src/core/build.js';
import { ManualClock } from '../../src/core/clock.js';
import { GatewayError, PROVIDER_CODE_FOR_KIND, type FailureKind } from '../../src/core/errors.js';
import type { InvocationError } from '../../src/core/invocation.js';
import type { InvokeContext, Provider } from '../../src/core/provider.js';
import type { ProviderChain } from '../../src/core/chain.js';

type Step = { kind: 'ok' | FailureKind | 'hang'; delayMs: number; retryAfterMs?: number };

const stepArb = fc.record({
  kind: fc.constantFrom<Step['kind']>(
    'ok',
    'ok',
    'ok',
    'transient',
    'timeout',
    'rate_limited',
    'auth',
    'quota',
    'invalid_request',
    'unknown_outcome',
    'hang',
  ),
  delayMs: fc.integer({ min: 0, max: 400 }),
  retryAfterMs: fc.option(fc.integer({ min: 1, max: 5_000 }), { nil: undefined }),
});

/** What the engine promises to wait after each announcement (its default cool-downs and authOpenMs). */
const ANNOUNCED_WAIT = { rateLimitedMs: 30_000, quotaMs: 3_600_000, authOpenMs: 300_000 };

class RandomProvider implements Provider {
  readonly type = 'random';
  calls: { kind: Step['kind']; breakerAtCall: string; at: number }[] = [];
  /** The provider said "not before": a rate limit's reset, a quota, refused credentials. */
  blockedUntil = 0;
  /** Calls started before an announced reset. */
  earlyCalls = 0;
  chain?: ProviderChain;
  constructor(
    readonly name: string,
    private readonly steps: Step[],
    private readonly clock: ManualClock,
    readonly always = false,
  ) {}

  async invoke(_req: unknown, ctx: InvokeContext): Promise<unknown> {
    const step: Step = this.always ? { kind: 'ok', delayMs: 1 } : this.steps[this.calls.length % this.steps.length]!;
    const tracked = this.chain!.getProvider(this.name)!;
    this.calls.push({ kind: step.kind, breakerAtCall: tracked.status().toJSON().breakerState, at: this.clock.now() });
    if (this.clock.now() < this.blockedUntil) this.earlyCalls++;
    if (step.kind === 'hang') return new Promise(() => undefined);
    await this.clock.sleep(step.delayMs, ctx.signal);
    if (ctx.signal.aborted) throw new GatewayError('GW_PROVIDER_TIMEOUT', 'aborted', { provider: this.name });
    if (step.kind === 'ok') return { by: this.name };
    const now = this.clock.now();
    if (step.kind === 'rate_limited')
      this.blockedUntil = Math.max(this.blockedUntil, now + (step.retryAfterMs ?? ANNOUNCED_WAIT.rateLimitedMs));
    if (step.kind === 'quota') this.blockedUntil = Math.max(this.blockedUntil, now + ANNOUNCED_WAIT.quotaMs);
    if (step.kind === 'auth') this.blockedUntil = Math.max(this.blockedUntil, now + ANNOUNCED_WAIT.authOpenMs);
    const opts: ConstructorParameters<typeof GatewayError>[2] = { provider: this.name };
    if (step.kind === 'rate_limited' && step.retryAfterMs) opts.retryAfterMs = step.retryAfterMs;
    throw new GatewayError(PROVIDER_CODE_FOR_KIND[step.kind], step.kind, opts);
  }
}

const scenarioArb = fc.record({
  sideEffects: fc.boolean(),
  providers: fc.array(fc.array(stepArb, { minLength: 1, maxLength: 8 }), { minLength: 1, maxLength: 4 }),
  alwaysGood: fc.boolean(),
  invocations: fc.integer({ min: 1, max: 25 }),
  concurrent: fc.integer({ min: 1, max: 3 }),
  gapMs: fc.integer({ min: 0, max: 3_000 }),
  deadlineMs: fc.integer({ min: 300, max: 5_000 }),
  attemptTimeoutMs: fc.integer({ min: 50, max: 2_000 }),
  maxAttemptsPerProvider: fc.integer({ min: 1, max: 3 }),
  panic: fc.constantFrom<'try_all' | 'fail_fast'>('try_all', 'fail_fast'),
  consecutiveFailures: fc.integer({ min: 1, max: 5 }),
  strategy: fc.constantFrom<'priority' | 'round_robin' | 'lowest_latency' | 'weighted'>(
    'priority',
    'round_robin',
    'lowest_latency',
    'weighted',
  ),
});

type Scenario = typeof scenarioArb extends fc.Arbitrary<infer S> ? S : never;

async function run(s: Scenario) {
  const clock = new ManualClock();
  const providers = s.providers.map((steps, i) => new RandomProvider(`p${i}`, steps, clock));
  if (s.alwaysGood) providers.push(new RandomProvider('good', [], clock, true));
  const chain = createProviderChain({
    capability: 'prop',
    sideEffects: s.sideEffects,
    providers,
    clock,
    random: () => 0.42,
    limits: { attemptTimeoutMs: s.attemptTimeoutMs },
    breaker: { consecutiveFailures: s.consecutiveFailures, openMs: 1_000, jitter: 0, halfOpenTimeoutMs: 500 },
    policy: {
      deadlineMs: s.deadlineMs,
      panic: s.panic,
      strategy: s.strategy,
      retry: { maxAttemptsPerProvider: s.maxAttemptsPerProvider, backoffMs: 50, budgetRatio: 0.2, budgetMinPerSecond: 1_000 },
    },
  });
  for (const p of providers) p.chain = chain;
  const outcomes: {
    ok: boolean;
    error?: InvocationError;
    attempts: { provider: string; outcome: string; panic?: boolean }[];
    started: number;
    ended: number;
  }[] = [];
  for (let i = 0; i < s.invocations; i++) {
    const batch = Array.from({ length: s.concurrent }, () => {
      const started = clock.now();
      return chain.invoke({}).then(
        (r) => outcomes.push({ ok: true, attempts: r.attempts, started, ended: clock.now() }),
        (e: InvocationError) => outcomes.push({ ok: false, error: e, attempts: e.attempts ?? [], started, ended: clock.now() }),
      );
    });
    let done = false;
    void Promise.all(batch).then(() => (done = true));
    for (let t = 0; !done && t < 60_000; t += 5) await clock.advance(5);
    await clock.advance(s.gapMs);
  }
  return { chain, providers, outcomes, clock };
}

describe('engine invariants (fast-check)', () => {
  it('holds every invariant over random outcome sequences and timings', async () => {
    await fc.assert(
      fc.asyncProperty(scenarioArb, async (s) => {
        const { chain, providers, outcomes } = await run(s);
        const nProviders = providers.length;
        for (const o of outcomes) {
          // An invocation never outlives its deadline by more than the abort grace (100 ms: an adapter
          // still answering after its signal fired gives its own verdict) and the 5 ms step.
          expect(o.ended - o.started).toBeLessThanOrEqual(s.deadlineMs + 100 + 10);
          const made = o.attempts.filter((a) => a.outcome !== 'skipped');
          // Attempts never exceed the per-invocation budget: each provider at most maxAttempts in the first pass and
          // in the one pass after waiting for a reset a provider announced, plus one panic round.
          expect(made.length).toBeLessThanOrEqual(2 * nProviders * s.maxAttemptsPerProvider + nProviders);
          // invalid_request never fails over: it is always the last attempt.
          const inv = made.findIndex((a) => a.outcome === 'invalid_request');
          if (inv >= 0) expect(inv).toBe(made.length - 1);
          // unknown_outcome never fails over on side-effecting capabilities.
          const unk = made.findIndex((a) => a.outcome === 'unknown_outcome');
          if (s.sideEffects && unk >= 0) expect(unk).toBe(made.length - 1);
          // When one provider always succeeds and the deadline allows, the invocation succeeds.
          if (s.alwaysGood && !o.ok) {
            const k = o.error!.kind;
            const stoppedByKind = k === 'invalid_request' || (s.sideEffects && k === 'unknown_outcome');
            const ranOut = o.ended - o.started >= s.deadlineMs - s.attemptTimeoutMs - 400;
            expect(stoppedByKind || ranOut || o.error!.code === 'GW_NO_USABLE_PROVIDER').toBe(true);
          }
        }
        for (const p of providers) {
          // A provider is never called before the reset it announced (rate limit, quota, refused
          // credentials): not by a retry, a failover, a hedge or the panic rule.
          expect(p.earlyCalls).toBe(0);
          // A provider with an open circuit is never called except by half-open permits (or the try_all panic round).
          const panicCalls = outcomes.flatMap((o) => o.attempts).filter((a) => a.provider === p.name && a.panic).length;
          const illegal = p.calls.filter((c) => c.breakerAtCall === 'open' || c.breakerAtCall === 'isolated').length;
          expect(illegal).toBeLessThanOrEqual(panicCalls);
          // Every attempt is recorded exactly once: the trace and the counters agree with the calls.
          const traced = outcomes.flatMap((o) => o.attempts).filter((a) => a.provider === p.name && a.outcome !== 'skipped').length;
          const cancelled = outcomes
            .flatMap((o) => o.attempts)
            .filter((a) => a.provider === p.name && a.outcome === 'skipped' && (a as { code?: string }).code === 'GW_CANCELLED').length;
          expect(traced + cancelled).toBe(p.calls.length);
          const st = chain.getProvider(p.name)!.status().toJSON();
          const okTraced = outcomes.flatMap((o) => o.attempts).filter((a) => a.provider === p.name && a.outcome === 'success').length;
          expect(st.successCount).toBe(okTraced);
          const counted = outcomes
            .flatMap((o) => o.attempts)
            .filter((a) => a.provider === p.name && ['transient', 'timeout', 'auth', 'unknown_outcome'].includes(a.outcome)).length;
          expect(st.failureCount).toBe(counted);
        }
      }),
      { numRuns: 120 },
    );
  }, 120_000);

  it('extra attempts across invocations stay within the retry budget', async () => {
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 20, max: 200 }), fc.double({ min: 0.05, max: 0.5, noNaN: true }), async (n, ratio) => {
        const clock = new ManualClock();
        let calls = 0;
        const failing = (name: string): Provider => ({
          name,
          type: 'f',
          async invoke() {
            calls++;
            throw new GatewayError('GW_PROVIDER_TRANSIENT', 'down');
          },
        });
        const chain = createProviderChain({
          capability: 'budget',
          sideEffects: false,
          clock,
          providers: [failing('a'), failing('b'), failing('c')],
          breaker: { consecutiveFailures: 1e9, minimumCalls: 1e9 },
          policy: { retry: { maxAttemptsPerProvider: 2, backoffMs: 0, budgetRatio: ratio, budgetMinPerSecond: 0.1 } },
        });
        for (let i = 0; i < n; i++) await chain.invoke({}).catch(() => undefined);
        expect(calls - n).toBeLessThanOrEqual(Math.max(1, Math.floor(ratio * n)) + 1);
      }),
      { numRuns: 40 },
    );
  });
});
