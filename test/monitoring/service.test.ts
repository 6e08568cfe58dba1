import { describe, expect, it } from 'vitest';
import { SelfCheckRegistry } from '../../src/monitoring/self-check-registry.js';
import { SelfCheckService } from '../../src/monitoring/self-check-service.js';
import type { MonitoredChain } from '../../src/monitoring/sources.js';
import type { ProviderChain } from '../../src/core/chain.js';
import { MemoryStore } from '../../src/store/memory/memory-store.js';
import { chainOf, fakeAdapter, newClock, T0 } from './helpers.js';

// Compile-time check: the real engine satisfies the structural surface monitoring uses.
const _realChainFits = (c: ProviderChain): MonitoredChain => c;
void _realChainFits;

function setup(chains: () => MonitoredChain[], clock = newClock(), extra: Partial<ConstructorParameters<typeof SelfCheckService>[0]> = {}) {
  const registry = new SelfCheckRegistry({ store: new MemoryStore({ clock }), clock });
  const service = new SelfCheckService({ registry, clock, chains, probeTimeoutMs: 1_000, random: () => 0.5, ...extra });
  return { registry, service, clock };
}

describe('SelfCheckService', () => {
  it('probes every provider with bounded concurrency and records every result', async () => {
    const clock = newClock();
    let inFlight = 0;
    let peak = 0;
    const slow = (name: string) =>
      fakeAdapter(name, async () => {
        inFlight++;
        peak = Math.max(peak, inFlight);
        await clock.sleep(100);
        inFlight--;
      });
    const chains = [chainOf('email_sending', clock, [slow('a'), slow('b'), slow('c')]), chainOf('crm_sync', clock, [slow('d'), slow('e')])];
    const { service, registry } = setup(() => chains, clock, { probeConcurrency: 2 });
    const progress: number[] = [];
    const run = service.runFullCheck(undefined, { onProgress: (p) => progress.push(p.done) });
    for (let i = 0; i < 5; i++) await clock.advance(100);
    const { results } = await run;
    expect(peak).toBe(2);
    expect(results.map((r) => r.provider)).toEqual(['a', 'b', 'c', 'd', 'e']);
    expect(results.every((r) => r.success && r.source === 'probe')).toBe(true);
    expect(progress).toEqual([1, 2, 3, 4, 5]);
    expect(await registry.getHealthHistory()).toHaveLength(5);
  });

  it('feeds probe outcomes into provider health: auth -> UNHEALTHY at once; success -> HEALTHY', async () => {
    const clock = newClock();
    const a = fakeAdapter('a', 'GW_PROVIDER_AUTH');
    const chain = chainOf('email_sending', clock, [a, fakeAdapter('b')]);
    const { service } = setup(() => [chain], clock);
    await service.runFullCheck();
    expect(chain.providers[0]!.status().toJSON().health).toBe('UNHEALTHY');
    expect(chain.providers[1]!.status().toJSON().health).toBe('HEALTHY');
    a.behaviour = 'ok';
    await clock.advance(10 * 60_000);
    await service.runFullCheck();
    expect(['half_open', 'closed']).toContain(chain.providers[0]!.status().toJSON().breakerState);
  });

  it('saves provider snapshots with their status so another process can show them', async () => {
    const clock = newClock();
    const chain = chainOf('email_sending', clock, [fakeAdapter('a', 'GW_PROVIDER_AUTH')]);
    const { service, registry } = setup(() => [chain], clock);
    await service.runFullCheck();
    const [snap] = await registry.store.loadSnapshots();
    expect(snap).toMatchObject({ provider: 'a', capability: 'email_sending', savedAt: T0, status: { health: 'UNHEALTHY' } });
    expect(snap!.snapshot).toMatchObject({ provider: 'a' });
    const report = await registry.getStatusReport();
    expect(report.capabilities[0]!.providers[0]!.health).toBe('UNHEALTHY');
  });

  it('syncProviderHealthWithMonitoring records live-traffic transitions in history and the audit trail', async () => {
    const clock = newClock();
    const a = fakeAdapter('a');
    a.invokeWith = 'GW_PROVIDER_AUTH';
    const chain = chainOf('email_sending', clock, [a, fakeAdapter('b')]);
    const { service, registry } = setup(() => [chain], clock);
    const dispose = service.syncProviderHealthWithMonitoring();
    const p = chain.invoke({});
    await clock.advance(5_000);
    await p;
    await clock.advance(0);
    await new Promise((r) => setTimeout(r, 10));
    const traffic = (await registry.getHealthHistory()).filter((c) => c.source === 'traffic');
    expect(traffic.find((c) => c.provider === 'a')).toMatchObject({ success: false, health: 'UNHEALTHY', error: { kind: 'auth' } });
    expect((await registry.store.queryEvents({ type: 'health_transition' })).length).toBeGreaterThan(0);
    expect((await registry.getRecommendations()).find((r) => r.provider === 'a')?.issueKey).toBe('auth');
    dispose();
  });

  it('periodic checks: jittered interval, never two runs at once, stop awaits the run in flight', async () => {
    const clock = newClock();
    let started = 0;
    let finished = 0;
    const chain = chainOf('x', clock, [
      fakeAdapter('a', async () => {
        started++;
        await clock.sleep(90_000); // longer than the interval
        finished++;
      }),
    ]);
    const { service } = setup(() => [chain], clock, { probeTimeoutMs: 120_000, random: () => 1 });
    service.startPeriodicChecks(60);
    expect(service.periodicRunning).toBe(true);
    await clock.advance(65_999); // 60 s + 10% jitter (random = 1) = 66 s
    expect(started).toBe(0);
    await clock.advance(1);
    expect(started).toBe(1);
    await clock.advance(66_000); // the next tick only schedules after the run ends
    expect(started).toBe(1);
    const stopping = service.stopPeriodicChecks();
    let stopped = false;
    void stopping.then(() => (stopped = true));
    await clock.advance(10_000);
    expect(stopped).toBe(false);
    await clock.advance(20_000);
    await stopping;
    expect(finished).toBe(1);
    await clock.advance(600_000);
    expect(started).toBe(1);
    expect(clock.pending).toBe(0);
  });

  it('a failing periodic run is logged and the schedule continues', async () => {
    const clock = newClock();
    const errors: string[] = [];
    const logger = { debug() {}, info() {}, warn() {}, error: (f: unknown) => void errors.push(JSON.stringify(f)) };
    let calls = 0;
    const { service } = setup(
      () => {
        calls++;
        throw new Error('chains unavailable');
      },
      clock,
      { logger, jitter: 0 },
    );
    service.startPeriodicChecks(10);
    await clock.advance(10_000);
    await clock.advance(10_000);
    expect(calls).toBe(2);
    expect(errors[0]).toContain('chains unavailable');
    await service.stopPeriodicChecks();
  });

  it('rejects a non-positive interval', () => {
    const { service } = setup(() => []);
    expect(() => service.startPeriodicChecks(0)).toThrow(RangeError);
  });

  it('passes recordHealthCheck and recordRecommendation through to the registry', async () => {
    const { service, registry } = setup(() => []);
    await service.recordHealthCheck({ provider: 'a', capability: 'x', timestamp: T0, success: true, latencyMs: 1, source: 'probe' });
    await service.recordRecommendation({
      provider: 'a',
      capability: 'x',
      issueKey: 'slow',
      severity: 'warning',
      health: 'DEGRADED',
      issue: 'i',
      action: 'a',
    });
    expect(await registry.getHealthHistory()).toHaveLength(1);
    expect(await registry.getRecommendations()).toHaveLength(1);
  });
});
