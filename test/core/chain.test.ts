import { describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/core/clock.js';
import { AllProvidersFailedError, InvocationError } from '../../src/core/invocation.js';
import { chainOf, ScriptedProvider, settle } from './helpers.js';

describe('ProviderChain', () => {
  it('fails over to the next provider and shows both in the trace, with one idempotency key', async () => {
    const a = new ScriptedProvider('a', ['transient']);
    const b = new ScriptedProvider('b', ['ok']);
    const { chain } = chainOf([a, b]);
    const r = await chain.invoke({}, { idempotencyKey: 'key-1' });
    expect(r.provider).toBe('b');
    expect(r.attempts.map((x) => [x.provider, x.outcome, x.code])).toEqual([
      ['a', 'transient', 'GW_PROVIDER_TRANSIENT'],
      ['b', 'success', undefined],
    ]);
    expect([...a.keys, ...b.keys]).toEqual(['key-1', 'key-1']);
    expect(r.idempotencyKey).toBe('key-1');
  });

  it('generates an idempotency key when none is given', async () => {
    const a = new ScriptedProvider('a');
    const { chain } = chainOf([a]);
    const r = await chain.invoke({});
    expect(a.keys).toEqual([r.idempotencyKey]);
    expect(r.idempotencyKey).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect((await chain.invoke({})).idempotencyKey).not.toBe(r.idempotencyKey);
  });

  it('never fails over after invalid_request', async () => {
    const a = new ScriptedProvider('a', ['invalid_request']);
    const b = new ScriptedProvider('b');
    const { chain } = chainOf([a, b]);
    const e = await chain.invoke({}).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(InvocationError);
    expect(e).toMatchObject({ kind: 'invalid_request', code: 'GW_PROVIDER_REJECTED' });
    expect(b.calls).toBe(0);
  });

  it('does not fail over after unknown_outcome on side-effecting capabilities, unless the provider deduplicates', async () => {
    const a = new ScriptedProvider('a', ['unknown_outcome']);
    const b = new ScriptedProvider('b');
    const { chain } = chainOf([a, b], { sideEffects: true });
    await expect(chain.invoke({})).rejects.toMatchObject({ kind: 'unknown_outcome' });
    expect(b.calls).toBe(0);

    const c = new ScriptedProvider('c', ['unknown_outcome']);
    c.deduplicates = true;
    const d = new ScriptedProvider('d');
    const second = chainOf([c, d], { sideEffects: true });
    await expect(second.chain.invoke({})).resolves.toMatchObject({ provider: 'd' });

    const e = new ScriptedProvider('e', ['unknown_outcome']);
    const f = new ScriptedProvider('f');
    const reads = chainOf([e, f], { sideEffects: false });
    await expect(reads.chain.invoke({})).resolves.toMatchObject({ provider: 'f' });
  });

  it('a hung side-effecting call becomes unknown_outcome at the deadline (no duplicate send)', async () => {
    const clock = new ManualClock();
    const a = new ScriptedProvider('a', ['hang']);
    const b = new ScriptedProvider('b');
    const { chain } = chainOf([a, b], { clock, sideEffects: true, limits: { attemptTimeoutMs: 1_000 } });
    await expect(settle(clock, chain.invoke({}))).rejects.toMatchObject({ code: 'GW_UNKNOWN_OUTCOME' });
    expect(b.calls).toBe(0);
    expect(a.contexts[0]!.signal.aborted).toBe(true);
  });

  it('a provider that ignores the signal does not hold the chain past the attempt deadline and its abort grace', async () => {
    const clock = new ManualClock();
    const a = new ScriptedProvider('a', ['hang']);
    const b = new ScriptedProvider('b');
    const { chain } = chainOf([a, b], { clock, limits: { attemptTimeoutMs: 500, abortGraceMs: 50 } });
    const started = clock.now();
    const r = await settle(clock, chain.invoke({}), 5);
    expect(r.provider).toBe('b');
    expect(clock.now() - started).toBeLessThanOrEqual(500 + 50 + 5);
    expect(r.attempts[0]).toMatchObject({ provider: 'a', outcome: 'timeout' });
  });

  it('honours the total deadline across attempts', async () => {
    const clock = new ManualClock();
    const ps = ['a', 'b', 'c'].map((n) => new ScriptedProvider(n, ['hang']));
    const { chain } = chainOf(ps, { clock, limits: { attemptTimeoutMs: 400 }, policy: { deadlineMs: 1_000 } });
    const started = clock.now();
    const e = await settle(clock, chain.invoke({}), 5).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(AllProvidersFailedError);
    expect(clock.now() - started).toBeLessThanOrEqual(1_010);
    expect(ps[2]!.contexts[0]?.deadline ?? 0).toBeLessThanOrEqual(started + 1_000);
  });

  it('retries the same provider with backoff, then fails over (total-attempts semantics)', async () => {
    const clock = new ManualClock();
    const a = new ScriptedProvider('a', ['transient', 'transient', 'ok']);
    const b = new ScriptedProvider('b');
    const { chain } = chainOf([a, b], { clock, policy: { retry: { maxAttemptsPerProvider: 2, backoffMs: 100 } } });
    const r = await settle(clock, chain.invoke({}));
    expect(a.calls).toBe(2);
    expect(r.provider).toBe('b');
    expect(r.attempts.map((x) => x.provider)).toEqual(['a', 'a', 'b']);
  });

  it('retries after rate_limited only when the reset fits, else fails over at once', async () => {
    const clock = new ManualClock();
    const a = new ScriptedProvider('a', [{ kind: 'rate_limited', retryAfterMs: 300 }, 'ok']);
    const { chain } = chainOf([a, new ScriptedProvider('b')], {
      clock,
      policy: { retry: { maxAttemptsPerProvider: 2, maxRetryAfterMs: 1_000 } },
    });
    const r = await settle(clock, chain.invoke({}));
    expect(r.provider).toBe('a');
    expect(a.calls).toBe(2);

    const c = new ScriptedProvider('c', [{ kind: 'rate_limited', retryAfterMs: 60_000 }, 'ok']);
    const d = new ScriptedProvider('d');
    const second = chainOf([c, d], { clock, policy: { retry: { maxAttemptsPerProvider: 2, maxRetryAfterMs: 1_000 } } });
    await expect(settle(clock, second.chain.invoke({}))).resolves.toMatchObject({ provider: 'd' });
    expect(c.calls).toBe(1);
  });

  it('a reset announced to this invocation is waited out only when no other provider serves and it fits the deadline', async () => {
    const clock = new ManualClock();
    const t0 = clock.now();
    // A backup serves: no waiting.
    const a = new ScriptedProvider('a', [{ kind: 'rate_limited', retryAfterMs: 5_000 }, 'ok']);
    const { chain } = chainOf([a, new ScriptedProvider('b')], { clock });
    await expect(chain.invoke({})).resolves.toMatchObject({ provider: 'b' });
    expect(clock.now()).toBe(t0);
    // The backup fails too: wait for a's reset (5 s) and call it again, in its configured place.
    const c = new ScriptedProvider('c', [{ kind: 'rate_limited', retryAfterMs: 5_000 }, 'ok']);
    const d = new ScriptedProvider('d', ['transient']);
    const second = chainOf([c, d], { clock, policy: { retry: { maxAttemptsPerProvider: 1 } } });
    const r = await settle(clock, second.chain.invoke({}));
    expect(r.provider).toBe('c');
    expect(r.attempts.map((x) => `${x.provider}:${x.outcome}`)).toEqual(['c:rate_limited', 'd:transient', 'c:success']);
    expect(clock.now() - t0).toBeGreaterThanOrEqual(5_000);
  });

  it('skips unusable providers with the reason in the trace', async () => {
    const a = new ScriptedProvider('a', ['auth']);
    const b = new ScriptedProvider('b');
    const { chain } = chainOf([a, b]);
    await chain.invoke({});
    const r = await chain.invoke({});
    // b is healthy now, so it is ordered first; a is skipped only if it comes up. Force priority to show a skip:
    chain.providers[1]!.isolate();
    const e = await chain.invoke({}).catch((x: unknown) => x);
    expect(r.provider).toBe('b');
    expect(
      (e as InvocationError).attempts
        .filter((x) => x.outcome === 'skipped')
        .map((x) => x.code)
        .sort(),
    ).toEqual(['GW_CIRCUIT_OPEN', 'GW_CIRCUIT_OPEN']);
  });

  it('panic try_all never bypasses refused credentials: nothing is called, the error says when to come back', async () => {
    const a = new ScriptedProvider('a', ['auth', 'ok']);
    const b = new ScriptedProvider('b', ['auth', 'ok']);
    const { chain } = chainOf([a, b], { breaker: { authOpenMs: 60_000 } });
    await chain.invoke({}).catch(() => undefined);
    expect(chain.getStatusReport().usableProviders).toBe(0);
    for (let i = 0; i < 20; i++)
      await expect(chain.invoke({})).rejects.toMatchObject({ code: 'GW_NO_USABLE_PROVIDER', retryAfterMs: 60_000 });
    expect([a.calls, b.calls]).toEqual([1, 1]);
  });

  it('panic try_all never calls a provider before its announced reset (429 Retry-After 30 s, overflow failover)', async () => {
    const clock = new ManualClock();
    const a = new ScriptedProvider('a', [{ kind: 'rate_limited', retryAfterMs: 30_000 }, 'ok']);
    const { chain } = chainOf([a], { clock, policy: { overflow: 'failover' } });
    await expect(chain.invoke({})).rejects.toMatchObject({ code: 'GW_ALL_PROVIDERS_FAILED', kind: 'rate_limited' });
    for (let i = 0; i < 100; i++) {
      await expect(chain.invoke({})).rejects.toMatchObject({ code: 'GW_NO_USABLE_PROVIDER', retryAfterMs: 30_000 - i * 10 });
      await clock.advance(10);
    }
    expect(a.calls).toBe(1);
    await clock.advance(29_000);
    await expect(chain.invoke({})).resolves.toMatchObject({ provider: 'a' });
    expect(a.calls).toBe(2);
  });

  it('overflow wait: calls arriving during an announced reset wait for it instead of spilling, then go paced', async () => {
    const clock = new ManualClock();
    const starts: number[] = [];
    const a = new ScriptedProvider('a', [{ kind: 'rate_limited', retryAfterMs: 10_000 }, 'ok']);
    const invokeA = a.invoke.bind(a);
    a.invoke = (req, ctx) => (starts.push(clock.now()), invokeA(req, ctx));
    const b = new ScriptedProvider('b', ['ok']);
    const { chain } = chainOf([a, b], { clock, policy: { deadlineMs: 60_000, retry: { maxAttemptsPerProvider: 2 } } });
    // The first call is told to wait 10 s: it fits the deadline, so it waits and calls a again.
    const first = chain.invoke({});
    await clock.advance(1);
    const waiting = Array.from({ length: 5 }, () => chain.invoke({}));
    await clock.advance(9_998);
    expect([a.calls, b.calls]).toEqual([1, 0]);
    for (let t = 0; t < 30_000 && a.calls < 7; t += 50) await clock.advance(50);
    const served = await Promise.all([first, ...waiting]);
    expect(served.map((r) => r.provider)).toEqual(Array(6).fill('a'));
    expect(b.calls).toBe(0);
    // Never before the reset; after it, one at a time at the pace the throttle taught (not all at the reset).
    const after = starts.slice(1);
    expect(after).toHaveLength(6);
    expect(Math.min(...after)).toBeGreaterThanOrEqual(10_000);
    for (let i = 1; i < after.length; i++) expect(after[i]! - after[i - 1]!).toBeGreaterThanOrEqual(500);
  });

  it('panic try_all: an open circuit from transient failures gets one bounded trial per interval, marked panic', async () => {
    const clock = new ManualClock();
    const a = new ScriptedProvider('a', ['transient', 'transient', 'ok']);
    const { chain } = chainOf([a], { clock, breaker: { consecutiveFailures: 1, openMs: 60_000, jitter: 0, trialIntervalMs: 5_000 } });
    await chain.invoke({}).catch(() => undefined);
    expect(chain.getProvider('a')!.status().toJSON().breakerState).toBe('open');
    // 100 invocations in the same second: one trial call (it fails and re-opens), 99 answered without a call.
    const codes: string[] = [];
    for (let i = 0; i < 100; i++)
      codes.push(
        await chain.invoke({}).then(
          () => 'ok',
          (e: { code: string }) => e.code,
        ),
      );
    expect(a.calls).toBe(2);
    expect(codes[0]).toBe('GW_ALL_PROVIDERS_FAILED');
    expect(new Set(codes.slice(1))).toEqual(new Set(['GW_NO_USABLE_PROVIDER']));
    await clock.advance(5_000);
    const r = await chain.invoke({});
    expect(r.attempts.at(-1)).toMatchObject({ provider: 'a', outcome: 'success', panic: true });
    expect(chain.getProvider('a')!.status().toJSON().breakerState).toBe('closed');
  });

  it('panic trials count against the retry budget', async () => {
    const clock = new ManualClock();
    const providers = ['a', 'b', 'c'].map((n) => new ScriptedProvider(n, ['transient']));
    const { chain } = chainOf(providers, {
      clock,
      breaker: { consecutiveFailures: 1, openMs: 600_000, jitter: 0, trialIntervalMs: 1 },
      policy: { retry: { maxAttemptsPerProvider: 1, budgetRatio: 0, budgetMinPerSecond: 0.2 } },
    });
    await chain.invoke({}).catch(() => undefined); // a fails, then b and c within the budget of 2 per 10 s
    const afterFirst = providers.reduce((n, p) => n + p.calls, 0);
    for (let i = 0; i < 50; i++) {
      await chain.invoke({}).catch(() => undefined);
      await clock.advance(2);
    }
    const total = providers.reduce((n, p) => n + p.calls, 0);
    expect(total - afterFirst).toBeLessThanOrEqual(2);
  });

  it('panic fail_fast: an error that says when the earliest provider becomes available', async () => {
    const clock = new ManualClock();
    const a = new ScriptedProvider('a', [{ kind: 'rate_limited', retryAfterMs: 5_000 }]);
    const b = new ScriptedProvider('b', [{ kind: 'rate_limited', retryAfterMs: 9_000 }]);
    // A 4 s deadline: neither reset fits, so the invocation fails at once with the earliest one.
    const { chain } = chainOf([a, b], { clock, policy: { panic: 'fail_fast', deadlineMs: 4_000 } });
    await expect(chain.invoke({})).rejects.toMatchObject({ code: 'GW_ALL_PROVIDERS_FAILED', kind: 'rate_limited', retryAfterMs: 5_000 });
    await expect(chain.invoke({})).rejects.toMatchObject({ code: 'GW_NO_USABLE_PROVIDER', retryAfterMs: 5_000 });
    expect(a.calls + b.calls).toBe(2);
  });

  it('the retry budget caps extra attempts during an outage', async () => {
    const providers = ['a', 'b', 'c'].map((n) => new ScriptedProvider(n, ['transient']));
    const { chain } = chainOf(providers, {
      breaker: { consecutiveFailures: 1_000_000, minimumCalls: 1_000_000 },
      health: { degradedFailureRate: 1.01 },
      policy: { retry: { maxAttemptsPerProvider: 1, budgetRatio: 0.2, budgetMinPerSecond: 1 } },
    });
    for (let i = 0; i < 100; i++) await chain.invoke({}).catch(() => undefined);
    const calls = providers.reduce((s, p) => s + p.calls, 0);
    // 100 first attempts plus at most 20% of 100 (or the 10-per-10 s floor) extra.
    expect(calls).toBeLessThanOrEqual(120);
    expect(calls).toBeGreaterThanOrEqual(110);
  });

  it('orders healthy providers first (priority)', async () => {
    const a = new ScriptedProvider('a', ['transient', 'transient', 'ok']);
    const b = new ScriptedProvider('b');
    const { chain } = chainOf([a, b]);
    await chain.invoke({});
    const r = await chain.invoke({});
    expect(r.attempts.map((x) => [x.provider, x.outcome, x.code])).toEqual([
      ['a', 'skipped', 'GW_DEMOTED'],
      ['b', 'success', undefined],
    ]);
  });

  it('round_robin spreads load across healthy providers', async () => {
    const ps = ['a', 'b', 'c'].map((n) => new ScriptedProvider(n));
    const { chain } = chainOf(ps, { policy: { strategy: 'round_robin' } });
    for (let i = 0; i < 30; i++) await chain.invoke({});
    expect(ps.map((p) => p.calls)).toEqual([10, 10, 10]);
  });

  it('weighted picks by weight', async () => {
    const ps = ['a', 'b'].map((n) => new ScriptedProvider(n));
    let seq = 0;
    const { chain } = chainOf(
      [
        { adapter: ps[0]!, weight: 3 },
        { adapter: ps[1]!, weight: 1 },
      ],
      { policy: { strategy: 'weighted' }, random: () => (seq++ % 4) / 4 + 0.01 },
    );
    for (let i = 0; i < 40; i++) await chain.invoke({});
    expect(ps[0]!.calls).toBe(30);
    expect(ps[1]!.calls).toBe(10);
  });

  it('lowest_latency prefers the fastest and shares load inside the tolerance band', async () => {
    const clock = new ManualClock();
    const fast = new ScriptedProvider('fast', [{ delayMs: 10 }], clock);
    const twin = new ScriptedProvider('twin', [{ delayMs: 11 }], clock);
    const slow = new ScriptedProvider('slow', [{ delayMs: 200 }], clock);
    const { chain } = chainOf([slow, fast, twin], { clock, policy: { strategy: 'lowest_latency', latencyTolerance: 0.2 } });
    for (let i = 0; i < 3; i++) await settle(clock, chain.invoke({}), 1); // everybody gets measured
    for (let i = 0; i < 20; i++) await settle(clock, chain.invoke({}), 1);
    expect(slow.calls).toBeLessThanOrEqual(2);
    expect(Math.abs(fast.calls - twin.calls)).toBeLessThanOrEqual(3);
  });

  it('hedging on a read: a slow primary is raced by the next provider; the loser is cancelled and not counted', async () => {
    const clock = new ManualClock();
    const slow = new ScriptedProvider('slow', [{ delayMs: 1_000 }], clock);
    const quick = new ScriptedProvider('quick', [{ delayMs: 20 }], clock);
    const { chain } = chainOf([slow, quick], { clock, policy: { hedging: { enabled: true, delayMs: 50 } } });
    const started = clock.now();
    const r = await settle(clock, chain.invoke({}), 5);
    expect(r.provider).toBe('quick');
    expect(clock.now() - started).toBeLessThan(200);
    expect(r.attempts).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ provider: 'quick', outcome: 'success', hedge: true }),
        expect.objectContaining({ provider: 'slow', outcome: 'skipped', code: 'GW_CANCELLED' }),
      ]),
    );
    expect(slow.contexts[0]!.signal.aborted).toBe(true);
    await clock.advance(2_000);
    expect(chain.providers[0]!.status().toJSON().failureCount).toBe(0);
  });

  it('never hedges side-effecting capabilities', async () => {
    const clock = new ManualClock();
    const slow = new ScriptedProvider('slow', [{ delayMs: 300 }], clock);
    const quick = new ScriptedProvider('quick', ['ok'], clock);
    const { chain } = chainOf([slow, quick], { clock, sideEffects: true, policy: { hedging: { enabled: true, delayMs: 50 } } });
    const r = await settle(clock, chain.invoke({}), 5);
    expect(r.provider).toBe('slow');
    expect(quick.calls).toBe(0);
  });

  it('emits attempt, failover and exhausted events; disposers unsubscribe', async () => {
    const a = new ScriptedProvider('a', ['transient']);
    const b = new ScriptedProvider('b', ['transient']);
    const { chain } = chainOf([a, b]);
    const seen: string[] = [];
    const ds = [
      chain.onAttempt((e) => seen.push(`attempt:${e.provider}:${e.outcome}`)),
      chain.onFailover((e) => seen.push(`failover:${e.from}:${e.kind}`)),
      chain.onExhausted((e) => seen.push(`exhausted:${e.code}`)),
    ];
    await chain.invoke({}).catch(() => undefined);
    ds.forEach((d) => d());
    await chain.invoke({}).catch(() => undefined);
    expect(seen).toEqual(['attempt:a:transient', 'failover:a:transient', 'attempt:b:transient', 'exhausted:GW_ALL_PROVIDERS_FAILED']);
  });

  it('reports status of every provider', async () => {
    const { chain } = chainOf([new ScriptedProvider('a'), new ScriptedProvider('b')]);
    await chain.invoke({});
    const report = chain.getStatusReport();
    expect(report).toMatchObject({ capability: 'test_cap', strategy: 'priority', panic: 'try_all', usableProviders: 2 });
    expect(report.providers.map((p) => [p.name, p.health])).toEqual([
      ['a', 'HEALTHY'],
      ['b', 'UNKNOWN'],
    ]);
  });
});
