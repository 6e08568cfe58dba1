/**
 * Self-healing that tells the truth: recovery trials in the configured place, probes that
 * readmit without erasing what real calls saw, quota ended by a probe that sees credits,
 * and the adapter's own verdict kept when it answers within the abort grace.
 */
import { describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/core/clock.js';
import { GatewayError } from '../../src/core/errors.js';
import type { InvokeContext, Provider, ProbeResult } from '../../src/core/provider.js';
import { chainOf, ScriptedProvider, settle } from './helpers.js';

/** A provider whose invoke and probe answers are switched by the test. */
class Switchable implements Provider {
  readonly type = 'switchable';
  calls = 0;
  probes = 0;
  failing = false;
  probeResult: ProbeResult = {};
  probeMatchesTraffic = false;
  constructor(readonly name: string) {}
  async invoke(): Promise<unknown> {
    this.calls++;
    if (this.failing) throw new GatewayError('GW_PROVIDER_TRANSIENT', `${this.name}: 503`, { provider: this.name });
    return { from: this.name };
  }
  async probe(): Promise<ProbeResult> {
    this.probes++;
    return this.probeResult;
  }
}

const state = (chain: ReturnType<typeof chainOf>['chain'], name: string) => chain.getProvider(name)!.status().toJSON();

describe('recovery trials', () => {
  it('a recovered primary serves again right after its open period, without probes', async () => {
    const clock = new ManualClock();
    const primary = new Switchable('primary');
    const backup = new Switchable('backup');
    const { chain } = chainOf([primary, { adapter: backup, breaker: { consecutiveFailures: 100 } }], {
      clock,
      breaker: { consecutiveFailures: 3, openMs: 10_000, jitter: 0 },
      health: { degradedFailureRate: 0.9 }, // the backup reads HEALTHY again after its first successes
    });
    primary.failing = true;
    backup.failing = true; // both fail, so the primary is called until its circuit opens
    for (let i = 0; i < 3; i++) await chain.invoke({}).catch(() => undefined);
    expect(state(chain, 'primary').breakerState).toBe('open');
    backup.failing = false;
    primary.failing = false; // the fault ends
    const served: string[] = [];
    for (let t = 0; t < 12_000; t += 1_000) {
      served.push((await chain.invoke({})).provider);
      await clock.advance(1_000);
    }
    // Open for 10 s, then the next invocation tries the primary in its place and it stays there.
    expect(served.slice(0, 5)).toEqual(Array(5).fill('backup'));
    expect(served.indexOf('primary')).toBe(10);
    expect(served.slice(served.indexOf('primary'))).toEqual(Array(served.length - served.indexOf('primary')).fill('primary'));
    expect(state(chain, 'primary')).toMatchObject({ breakerState: 'closed', health: 'HEALTHY' });
  });

  it('a primary demoted by old failures (circuit closed) is retried at a bounded rate and takes its place back', async () => {
    const clock = new ManualClock();
    const primary = new Switchable('primary');
    const backup = new Switchable('backup');
    const { chain } = chainOf([primary, backup], {
      clock,
      breaker: { consecutiveFailures: 100, minimumCalls: 100, trialIntervalMs: 5_000 },
    });
    primary.failing = true;
    await chain.invoke({});
    await chain.invoke({});
    expect(state(chain, 'primary')).toMatchObject({ breakerState: 'closed', health: 'DEGRADED' });
    primary.failing = false;
    const before = primary.calls;
    for (let i = 0; i < 40; i++) {
      await chain.invoke({});
      await clock.advance(100);
    }
    // 4 s: inside the trial interval since its last failure, the backup serves; no call reaches the primary.
    expect(primary.calls).toBe(before);
    await clock.advance(1_000);
    expect((await chain.invoke({})).provider).toBe('primary');
    expect((await chain.invoke({})).provider).toBe('primary');
    expect(state(chain, 'primary').health).toBe('HEALTHY');
  });

  it('a failed trial is not repeated before the trial interval has passed again', async () => {
    const clock = new ManualClock();
    const primary = new Switchable('primary');
    const backup = new Switchable('backup');
    const { chain } = chainOf([primary, backup], {
      clock,
      breaker: { consecutiveFailures: 100, minimumCalls: 100, trialIntervalMs: 5_000 },
    });
    primary.failing = true;
    await chain.invoke({}); // demoted after this failure: the backup serves the next calls
    await chain.invoke({});
    const initial = primary.calls;
    const calls: number[] = [];
    for (let t = 0; t < 20_000; t += 250) {
      await chain.invoke({});
      calls.push(primary.calls);
      await clock.advance(250);
    }
    // 20 s of traffic with a still-failing primary: one trial per 5 s at most.
    // 20 s of traffic with a still-failing primary: one trial per 5 s (at 5, 10 and 15 s), none in between.
    expect(primary.calls - initial).toBe(3);
    expect(calls.filter((c, i) => i > 0 && c !== calls[i - 1]).length).toBe(3);
  });
});

describe('probes readmit; real traffic decides', () => {
  it('a passing probe moves an open circuit to half-open but keeps the failure real calls saw', async () => {
    const clock = new ManualClock();
    const primary = new Switchable('primary');
    const backup = new Switchable('backup');
    const { chain } = chainOf([primary, { adapter: backup, breaker: { consecutiveFailures: 100 } }], {
      clock,
      breaker: { consecutiveFailures: 2, openMs: 60_000, jitter: 0 },
    });
    primary.failing = true;
    backup.failing = true;
    await chain.invoke({}).catch(() => undefined);
    await chain.invoke({}).catch(() => undefined);
    backup.failing = false;
    const tracked = chain.getProvider('primary')!;
    expect(state(chain, 'primary').breakerState).toBe('open');
    const failingSince = state(chain, 'primary').failingSince;
    expect((await tracked.probe()).ok).toBe(true);
    expect(state(chain, 'primary')).toMatchObject({
      breakerState: 'half_open',
      health: 'DEGRADED',
      consecutiveFailures: 2,
      failingSince,
      lastError: { code: 'GW_PROVIDER_TRANSIENT' },
    });
    // A second passing probe still does not close it: only a real call decides.
    await tracked.probe();
    expect(state(chain, 'primary').breakerState).toBe('half_open');
    // The next real call is the trial; it fails, so the circuit re-opens for longer.
    const r = await chain.invoke({});
    expect(r.attempts.map((a) => [a.provider, a.outcome])).toEqual([
      ['primary', 'transient'],
      ['backup', 'success'],
    ]);
    expect(state(chain, 'primary')).toMatchObject({ breakerState: 'open', reopenCount: 1, health: 'UNHEALTHY' });
    // Once the fault ends, the probe readmits and the first real call closes the circuit.
    primary.failing = false;
    await tracked.probe();
    expect((await chain.invoke({})).provider).toBe('primary');
    expect(state(chain, 'primary')).toMatchObject({
      breakerState: 'closed',
      health: 'HEALTHY',
      consecutiveFailures: 0,
      failingSince: null,
    });
  });

  it('with no traffic failing, or a probe of the same operation, a passing probe decides', async () => {
    const clock = new ManualClock();
    const failingProbe = new Switchable('a');
    const { chain } = chainOf([failingProbe], { clock, breaker: { authOpenMs: 60_000 } });
    const tracked = chain.getProvider('a')!;
    failingProbe.probe = async () => {
      throw new GatewayError('GW_PROVIDER_AUTH', 'a: 401', { provider: 'a' });
    };
    await tracked.probe();
    expect(state(chain, 'a')).toMatchObject({ breakerState: 'open', health: 'UNHEALTHY' });
    failingProbe.probe = async () => ({});
    await tracked.probe();
    await tracked.probe();
    expect(state(chain, 'a')).toMatchObject({ breakerState: 'closed', consecutiveFailures: 0 });

    const same = new Switchable('same');
    same.probeMatchesTraffic = true;
    const second = chainOf([same], { clock, breaker: { consecutiveFailures: 1, openMs: 60_000 } });
    same.failing = true;
    await second.chain.invoke({}).catch(() => undefined);
    same.failing = false;
    const t = second.chain.getProvider('same')!;
    await t.probe();
    await t.probe();
    expect(t.status().toJSON()).toMatchObject({ breakerState: 'closed', consecutiveFailures: 0 });
  });

  it('a probe that sees credits ends a quota cool-down at once; one without the signal does not', async () => {
    const clock = new ManualClock();
    const a = new Switchable('a');
    const { chain } = chainOf([a], { clock, cooldown: { quotaMs: 3_600_000 } });
    a.invoke = async () => {
      a.calls++;
      throw new GatewayError('GW_PROVIDER_QUOTA', 'a: out of credits', { provider: 'a' });
    };
    await chain.invoke({}).catch(() => undefined);
    const tracked = chain.getProvider('a')!;
    expect(state(chain, 'a')).toMatchObject({ cooldownKind: 'quota', health: 'UNHEALTHY' });
    await tracked.probe(); // a probe that says nothing about the balance
    expect(state(chain, 'a').cooldownKind).toBe('quota');
    a.probeResult = { metadata: { credits: 500 }, quotaAvailable: true };
    await tracked.probe();
    expect(state(chain, 'a')).toMatchObject({ cooldownKind: null, cooldownUntil: null });
    expect(tracked.unavailable(clock.now())).toBeNull();
  });
});

describe('the adapter keeps its verdict within the abort grace', () => {
  class NeverGreets implements Provider {
    readonly type = 'smtp-like';
    calls = 0;
    constructor(
      readonly name: string,
      private readonly answerAfterAbortMs: number | null,
      private readonly clock: ManualClock,
    ) {}
    invoke(_req: unknown, ctx: InvokeContext): Promise<unknown> {
      this.calls++;
      return new Promise((_, reject) => {
        ctx.signal.addEventListener('abort', () => {
          if (this.answerAfterAbortMs === null) return; // silence
          this.clock.setTimeout(
            () => reject(new GatewayError('GW_PROVIDER_TIMEOUT', 'no greeting: no message data sent', { provider: this.name })),
            this.answerAfterAbortMs,
          );
        });
      });
    }
  }

  it('a side-effecting call whose adapter says "nothing was sent" 8 ms after the abort fails over instead of locking the key', async () => {
    const clock = new ManualClock();
    const primary = new NeverGreets('primary', 8, clock);
    const backup = new ScriptedProvider('backup');
    const { chain } = chainOf([primary, backup], { clock, sideEffects: true, limits: { attemptTimeoutMs: 1_000 } });
    const r = await settle(clock, chain.invoke({}), 2);
    expect(r.provider).toBe('backup');
    expect(r.attempts[0]).toMatchObject({ provider: 'primary', outcome: 'timeout', code: 'GW_PROVIDER_TIMEOUT' });
  });

  it('silence past the grace on a side-effecting call is an unknown outcome (no duplicate send)', async () => {
    const clock = new ManualClock();
    const primary = new NeverGreets('primary', null, clock);
    const late = new NeverGreets('late', 500, clock);
    const backup = new ScriptedProvider('backup');
    const { chain } = chainOf([primary, backup], { clock, sideEffects: true, limits: { attemptTimeoutMs: 1_000 } });
    await expect(settle(clock, chain.invoke({}), 2)).rejects.toMatchObject({ code: 'GW_UNKNOWN_OUTCOME' });
    const second = chainOf([late, backup], { clock, sideEffects: true, limits: { attemptTimeoutMs: 1_000, abortGraceMs: 100 } });
    await expect(settle(clock, second.chain.invoke({}), 2)).rejects.toMatchObject({ code: 'GW_UNKNOWN_OUTCOME' });
    expect(backup.calls).toBe(0);
  });
});
