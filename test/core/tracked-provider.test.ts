import { describe, expect, it } from 'vitest';
import { createProviderChain } from '../../src/core/build.js';
import { ManualClock } from '../../src/core/clock.js';
import type { InvokeContext } from '../../src/core/provider.js';
import { ProviderHealth } from '../../src/core/health.js';
import { chainOf, ScriptedProvider, settle } from './helpers.js';

function one(script: ConstructorParameters<typeof ScriptedProvider>[1], opts: Parameters<typeof chainOf>[1] = {}) {
  const clock = new ManualClock();
  const p = new ScriptedProvider('p', script, clock);
  const { chain } = chainOf([p], { clock, policy: { panic: 'fail_fast', retry: { maxAttemptsPerProvider: 1 } }, ...opts });
  return { p, chain, clock, tracked: chain.providers[0]! };
}

const status = (t: { status(): { toJSON(): unknown } }) =>
  t.status().toJSON() as ReturnType<import('../../src/core/health.js').ProviderStatus['toJSON']>;

describe('TrackedProvider health and breaker', () => {
  it('starts UNKNOWN, becomes HEALTHY after a success, records latency and counts', async () => {
    const { chain, tracked, clock, p } = one([{ delayMs: 40 }], {});
    expect(tracked.health).toBe(ProviderHealth.UNKNOWN);
    await settle(clock, chain.invoke({}));
    const s = status(tracked);
    expect(s.health).toBe('HEALTHY');
    expect(s.successCount).toBe(1);
    expect(s.latencyMs).toBe(40);
    expect(s.p50Ms).toBeGreaterThanOrEqual(40);
    expect(s.successRate).toBe(1);
    expect(s.lastSuccessAt).toBe(clock.now());
    expect(p.calls).toBe(1);
    expect(tracked.status().isHealthy()).toBe(true);
  });

  it('keeps the rate-limit state the adapter reported on its last answer, with when it was seen', async () => {
    const clock = new ManualClock();
    let left = 3;
    const adapter = {
      name: 'limited',
      type: 'test',
      invoke: async (_request: unknown, ctx: InvokeContext) => {
        ctx.reportRateLimit?.({ window: 'minute', remaining: --left, limit: 3, resetAt: clock.now() + 60_000 });
        return { ok: true };
      },
    };
    const chain = createProviderChain({ capability: 'test', sideEffects: false, providers: [adapter], clock });
    expect(status(chain.providers[0]!).rateLimit).toBeNull();
    await chain.invoke({});
    await clock.advance(1_000);
    await chain.invoke({});
    expect(status(chain.providers[0]!).rateLimit).toEqual({
      window: 'minute',
      remaining: 1,
      limit: 3,
      resetAt: clock.now() + 60_000,
      observedAt: clock.now(),
    });
  });

  it('opens after N consecutive failures and reports UNHEALTHY with openUntil', async () => {
    const { chain, tracked, clock } = one(['transient'], { breaker: { consecutiveFailures: 3, openMs: 10_000, jitter: 0 } });
    for (let i = 0; i < 3; i++) await chain.invoke({}).catch(() => undefined);
    const s = status(tracked);
    expect(s.breakerState).toBe('open');
    expect(s.health).toBe('UNHEALTHY');
    expect(s.openUntil).toBe(clock.now() + 10_000);
    expect(s.consecutiveFailures).toBe(3);
    expect(s.lastError).toMatchObject({ code: 'GW_PROVIDER_TRANSIENT', kind: 'transient' });
  });

  it('opens on the failure rate over the window once minimumCalls is reached', async () => {
    const script = Array.from({ length: 10 }, (_, i) => (i % 2 === 1 ? 'transient' : 'ok')) as ('ok' | 'transient')[];
    const { chain, tracked } = one(script, { breaker: { consecutiveFailures: 100, minimumCalls: 10, failureRateThreshold: 0.5 } });
    for (let i = 0; i < 9; i++) await chain.invoke({}).catch(() => undefined);
    expect(status(tracked).breakerState).toBe('closed');
    expect(status(tracked).health).toBe('DEGRADED');
    await chain.invoke({}).catch(() => undefined);
    expect(status(tracked).breakerState).toBe('open');
  });

  it('opens on the slow-call rate', async () => {
    const { chain, tracked, clock } = one([{ delayMs: 300 }], {
      breaker: { slowCallMs: 200, slowCallRateThreshold: 0.5, minimumCalls: 4 },
    });
    for (let i = 0; i < 4; i++) await settle(clock, chain.invoke({})).catch(() => undefined);
    expect(status(tracked).breakerState).toBe('open');
    expect(status(tracked).slowRate).toBe(1);
  });

  it('auth makes the provider UNHEALTHY at once', async () => {
    const { chain, tracked } = one(['auth']);
    await expect(chain.invoke({})).rejects.toMatchObject({ kind: 'auth' });
    expect(status(tracked)).toMatchObject({ health: 'UNHEALTHY', breakerState: 'open' });
  });

  it('invalid_request never counts against the provider', async () => {
    const { chain, tracked } = one(['invalid_request']);
    for (let i = 0; i < 10; i++) await expect(chain.invoke({})).rejects.toMatchObject({ code: 'GW_PROVIDER_REJECTED' });
    expect(status(tracked)).toMatchObject({
      failureCount: 0,
      consecutiveFailures: 0,
      breakerState: 'closed',
      lastError: null,
      health: 'UNKNOWN',
    });
  });

  it('rate_limited cools down until the provider reset time, then the provider is readmitted', async () => {
    const { chain, tracked, clock, p } = one([{ kind: 'rate_limited', retryAfterMs: 30_000 }, 'ok']);
    await expect(chain.invoke({})).rejects.toMatchObject({ kind: 'rate_limited' });
    expect(status(tracked)).toMatchObject({
      health: 'DEGRADED',
      cooldownKind: 'rate_limited',
      cooldownUntil: clock.now() + 30_000,
      failureCount: 0,
    });
    await expect(chain.invoke({})).rejects.toMatchObject({ code: 'GW_NO_USABLE_PROVIDER', retryAfterMs: 30_000 });
    expect(p.calls).toBe(1);
    await clock.advance(30_000);
    await expect(chain.invoke({})).resolves.toMatchObject({ provider: 'p' });
    expect(status(tracked).cooldownUntil).toBeNull();
  });

  it('quota makes the provider UNHEALTHY until its reset', async () => {
    const { chain, tracked } = one([{ kind: 'quota', retryAfterMs: 3_600_000 }]);
    await chain.invoke({}).catch(() => undefined);
    expect(status(tracked)).toMatchObject({ health: 'UNHEALTHY', cooldownKind: 'quota' });
  });

  it('half-open admits one probe call with its own timeout; success closes the circuit', async () => {
    const { chain, tracked, clock, p } = one(['transient', 'transient', 'hang', 'ok'], {
      breaker: { consecutiveFailures: 2, openMs: 1_000, jitter: 0, halfOpenTimeoutMs: 200 },
      limits: { attemptTimeoutMs: 5_000 },
    });
    await chain.invoke({}).catch(() => undefined);
    await chain.invoke({}).catch(() => undefined);
    expect(status(tracked).breakerState).toBe('open');
    await clock.advance(1_000);
    const started = clock.now();
    await expect(settle(clock, chain.invoke({}))).rejects.toMatchObject({ kind: 'timeout' });
    // The half-open timeout plus the 100 ms abort grace for the adapter's own verdict, not the 5 s attempt timeout.
    expect(clock.now() - started).toBeLessThanOrEqual(200 + 100 + 10);
    expect(status(tracked).breakerState).toBe('open');
    expect(status(tracked).reopenCount).toBe(1);
    await clock.advance(2_000);
    await expect(chain.invoke({})).resolves.toMatchObject({ provider: 'p' });
    expect(status(tracked)).toMatchObject({ breakerState: 'closed', reopenCount: 0 });
    expect(p.calls).toBe(4);
  });

  it('manual controls: isolate, force closed, reset', async () => {
    const { chain, tracked, p } = one(['ok']);
    tracked.isolate();
    await expect(chain.invoke({})).rejects.toMatchObject({ code: 'GW_NO_USABLE_PROVIDER' });
    expect(status(tracked)).toMatchObject({ health: 'UNHEALTHY', breakerState: 'isolated' });
    tracked.forceClosed();
    await expect(chain.invoke({})).resolves.toBeTruthy();
    tracked.reset();
    expect(status(tracked)).toMatchObject({ breakerState: 'closed', health: 'UNKNOWN' });
    expect(p.calls).toBe(1);
  });

  it('emits health and breaker changes through disposable subscriptions', async () => {
    const { chain, tracked } = one(['ok', 'auth']);
    const health: string[] = [];
    const breaker: string[] = [];
    const d1 = chain.onHealthChange((e) => health.push(`${e.from}->${e.to}`));
    const d2 = chain.onBreakerStateChange((e) => breaker.push(`${e.from}->${e.to}`));
    await chain.invoke({});
    await chain.invoke({}).catch(() => undefined);
    d1();
    d2();
    tracked.reset();
    expect(health).toEqual(['UNKNOWN->HEALTHY', 'HEALTHY->UNHEALTHY']);
    expect(breaker).toEqual(['closed->open']);
  });

  it('probes feed health: a failed probe counts, a successful probe moves an open circuit to half-open', async () => {
    const clock = new ManualClock();
    let probeOk = false;
    const adapter = {
      name: 'pr',
      type: 't',
      async invoke() {
        return 1;
      },
      async probe() {
        if (!probeOk) throw new (await import('../../src/core/errors.js')).GatewayError('GW_PROVIDER_AUTH', 'bad key');
        return { metadata: { credits: 5 } };
      },
    };
    const { chain } = chainOf([adapter], { clock });
    const t = chain.providers[0]!;
    const bad = await t.probe(1_000);
    expect(bad).toMatchObject({ ok: false, error: { kind: 'auth', code: 'GW_PROVIDER_AUTH' } });
    expect(status(t)).toMatchObject({ health: 'UNHEALTHY', breakerState: 'open' });
    probeOk = true;
    const good = await t.probe(1_000);
    expect(good).toMatchObject({ ok: true, metadata: { credits: 5 } });
    expect(status(t).breakerState).toBe('half_open');
    await t.probe(1_000);
    expect(status(t).breakerState).toBe('closed');
    expect(status(t).lastCheckedAt).toBe(clock.now());
  });

  it('a provider without a probe is reported as such, not as healthy', async () => {
    const { tracked } = one(['ok']);
    await expect(tracked.probe()).resolves.toMatchObject({ ok: false, skipped: 'no_probe' });
  });

  it('snapshot/restore carries an open circuit across a restart', async () => {
    const a = one(['auth']);
    await a.chain.invoke({}).catch(() => undefined);
    const snap = JSON.parse(JSON.stringify(a.chain.toJSON()));
    const b = one(['ok']);
    b.clock.set(a.clock.now());
    b.chain.restore(snap);
    expect(status(b.tracked)).toMatchObject({ breakerState: 'open', health: 'UNHEALTHY', lastError: { kind: 'auth' } });
    await expect(b.chain.invoke({})).rejects.toMatchObject({ code: 'GW_NO_USABLE_PROVIDER' });
    expect(b.p.calls).toBe(0);
  });

  it('with overflow failover, local concurrency and rate limits reject as rejected_local and never count', async () => {
    const { chain, tracked } = one(['ok'], {
      limits: { ratePerSecond: 2, burst: 2 },
      policy: { panic: 'fail_fast', overflow: 'failover', retry: { maxAttemptsPerProvider: 1 } },
    });
    await chain.invoke({});
    await chain.invoke({});
    const err = await chain.invoke({}).catch((e: unknown) => e);
    expect(err).toMatchObject({ attempts: [{ outcome: 'skipped', code: 'GW_LOCAL_RATE_LIMIT' }] });
    expect(status(tracked).failureCount).toBe(0);
  });

  it('with overflow wait (the default), a call over the rate waits its turn and is served, never before it', async () => {
    const { chain, clock, p } = one(['ok'], { limits: { ratePerSecond: 2, burst: 2 } });
    await chain.invoke({});
    await chain.invoke({});
    const third = chain.invoke({});
    await clock.advance(499);
    expect(p.calls).toBe(2);
    await clock.advance(1);
    await expect(third).resolves.toMatchObject({ provider: 'p' });
    expect(p.calls).toBe(3);
  });

  it('with overflow wait, a turn that would come after the deadline is refused at once (the chain fails over)', async () => {
    const { chain, p } = one(['ok'], { limits: { ratePerSecond: 0.01, burst: 1 }, policy: { deadlineMs: 5_000 } });
    await chain.invoke({});
    const err = await chain.invoke({}).catch((e: unknown) => e);
    expect(err).toMatchObject({ attempts: [{ outcome: 'skipped', code: 'GW_LOCAL_RATE_LIMIT' }] });
    expect(p.calls).toBe(1);
  });
});
