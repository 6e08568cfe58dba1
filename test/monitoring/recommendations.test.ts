import { describe, expect, it } from 'vitest';
import { SelfCheckRegistry } from '../../src/monitoring/self-check-registry.js';
import { SelfCheckService } from '../../src/monitoring/self-check-service.js';
import type { ProviderRecommendation } from '../../src/monitoring/types.js';
import { MemoryStore } from '../../src/store/memory/memory-store.js';
import { chainOf, fakeAdapter, newClock, T0, type FakeAdapter } from './helpers.js';
import type { ManualClock } from '../../src/core/clock.js';
import type { ProviderSpec } from '../../src/core/build.js';

const SECRET = 'hunter2-super-secret';

function setup(providers: (FakeAdapter | ProviderSpec)[], cap = 'email_sending') {
  const clock = newClock();
  const registry = new SelfCheckRegistry({ store: new MemoryStore({ clock }), clock });
  const chain = chainOf(cap, clock, providers);
  const service = new SelfCheckService({
    registry,
    clock,
    chains: () => [chain],
    probeTimeoutMs: 1_000,
    slowThresholdMs: 500,
    typeFacts: (type) => (type === 'smtp' ? { secrets: ['auth.pass'], required: ['host'] } : { secrets: ['apiKey'], required: ['apiKey'] }),
  });
  return { clock, registry, chain, service };
}

const find = (recs: ProviderRecommendation[], provider: string, key: string) =>
  recs.find((r) => r.provider === provider && r.issueKey === key);

describe('recommendation rules', () => {
  it('auth: critical, names the credential config key, never a value', async () => {
    const { service } = setup([fakeAdapter('smtp_a', 'GW_PROVIDER_AUTH', 'smtp'), fakeAdapter('smtp_b')]);
    const { recommendations } = await service.runFullCheck();
    const r = find(recommendations, 'smtp_a', 'auth')!;
    expect(r.severity).toBe('critical');
    expect(r.health).toBe('UNHEALTHY');
    expect(r.action).toContain('capabilities.email_sending.providers[0].options.auth.pass');
    expect(r.action).toContain('Check or rotate'); // advice comes from the type's hints, which this fake has none of
    expect(JSON.stringify(recommendations)).not.toContain(SECRET);
  });

  it('rate_limited: says when it clears and which provider serves meanwhile', async () => {
    const { service } = setup([fakeAdapter('api_a', 'GW_PROVIDER_RATE_LIMITED'), fakeAdapter('api_b')]);
    const { recommendations } = await service.runFullCheck();
    const r = find(recommendations, 'api_a', 'rate_limited')!;
    expect(r.severity).toBe('warning');
    expect(r.issue).toContain(`clears at ${new Date(T0 + 60_000).toISOString().replace('.000Z', 'Z')}`);
    expect(r.action).toContain('api_b serve(s) meanwhile');
  });

  it('quota: warning with where to refill (provider advice by type)', async () => {
    const { service } = setup([fakeAdapter('drop', 'GW_PROVIDER_QUOTA', 'dropcontact'), fakeAdapter('apollo_b')]);
    const r = find((await service.runFullCheck()).recommendations, 'drop', 'quota')!;
    expect(r.severity).toBe('warning');
    expect(r.action).toMatch(/credits/i);
  });

  it('not_configured: names the missing setting by config key path', async () => {
    const { service } = setup([
      { adapter: fakeAdapter('smtp_a', 'ok', 'smtp'), configured: false, missingSetting: 'host' },
      fakeAdapter('smtp_b'),
    ]);
    const { recommendations, results } = await service.runFullCheck();
    expect(results.find((c) => c.provider === 'smtp_a')).toMatchObject({ success: false, skipped: 'not_configured' });
    const r = find(recommendations, 'smtp_a', 'not_configured')!;
    expect(r.severity).toBe('warning'); // primary
    expect(r.action).toContain('capabilities.email_sending.providers[0].options.host');
  });

  it('timeout: a hanging probe is abandoned at its timeout and reported with the threshold', async () => {
    const { service, clock } = setup([fakeAdapter('slow_a', 'hang'), fakeAdapter('b')]);
    const run = service.runFullCheck();
    await clock.advance(1_001);
    const { recommendations, results } = await run;
    expect(results.find((c) => c.provider === 'slow_a')!.error?.kind).toBe('timeout');
    expect(find(recommendations, 'slow_a', 'timeout')!.issue).toContain('threshold 500 ms');
  });

  it('slow: latency over the threshold without failures', async () => {
    // eslint-disable-next-line prefer-const -- assigned once below, after the adapter that reads it is built
    let clock!: ManualClock;
    const slow = fakeAdapter('slow_a', async () => void (await clock.sleep(800)));
    const s = setup([slow, fakeAdapter('b')]);
    clock = s.clock;
    const run = s.service.runFullCheck();
    await clock.advance(900);
    const r = find((await run).recommendations, 'slow_a', 'slow')!;
    expect(r.severity).toBe('warning');
    expect(r.issue).toContain('over the 500 ms threshold');
  });

  it('transient burst: one failure is a warning, repeated failures escalate the same recommendation to an outage suspected since the first', async () => {
    const { service, clock, registry } = setup([fakeAdapter('a', 'GW_PROVIDER_TRANSIENT'), fakeAdapter('b')]);
    let recs = (await service.runFullCheck()).recommendations;
    expect(find(recs, 'a', 'transient')!.severity).toBe('warning');
    for (let i = 0; i < 2; i++) {
      await clock.advance(60_000);
      recs = (await service.runFullCheck()).recommendations;
    }
    const outage = find(recs, 'a', 'transient')!;
    expect(outage.severity).toBe('critical');
    expect(outage.issue).toContain(`Outage suspected since ${new Date(T0).toISOString().replace('.000Z', 'Z')}`);
    // One recommendation for the episode: escalated, never resolved and reopened under another key.
    const history = await registry.getRecommendations({ provider: 'a', includeResolved: true });
    expect(
      history.filter((r) => r.issueKey === 'transient' || r.issueKey === 'outage_suspected').map((r) => [r.issueKey, r.resolvedAt]),
    ).toEqual([['transient', null]]);
  });

  it('a provider without a probe is reported as such, not as healthy', async () => {
    const { service, chain } = setup([fakeAdapter('a', 'none'), fakeAdapter('b')]);
    const { recommendations, results } = await service.runFullCheck();
    expect(results.find((c) => c.provider === 'a')).toMatchObject({ success: false, skipped: 'no_probe' });
    expect(chain.providers[0]!.status().toJSON().health).not.toBe('HEALTHY');
    expect(find(recommendations, 'a', 'no_probe')!.severity).toBe('info');
  });

  it('chain: one usable provider left is a warning "no redundancy"', async () => {
    const { service } = setup([fakeAdapter('a', 'GW_PROVIDER_AUTH'), fakeAdapter('b')]);
    const r = find((await service.runFullCheck()).recommendations, '*', 'no_redundancy')!;
    expect(r.severity).toBe('warning');
    expect(r.issue).toContain('only b is usable');
  });

  it('chain: no usable provider is critical "capability down"', async () => {
    const { service } = setup([fakeAdapter('a', 'GW_PROVIDER_AUTH'), fakeAdapter('b', 'GW_PROVIDER_AUTH')]);
    const recs = (await service.runFullCheck()).recommendations;
    expect(find(recs, '*', 'capability_down')!.severity).toBe('critical');
    expect(recs.filter((r) => r.provider === '*').map((r) => r.issueKey)).toEqual(['capability_down']);
  });

  it('chain: a failing primary is a warning although the chain succeeds through a fallback', async () => {
    const primary = fakeAdapter('primary', 'GW_PROVIDER_TRANSIENT');
    primary.invokeWith = 'GW_PROVIDER_TRANSIENT';
    const { service, chain, clock } = setup([primary, fakeAdapter('backup'), fakeAdapter('third')]);
    const pending = chain.invoke({ to: 'x' });
    await clock.advance(5_000); // retry back-off runs on the manual clock
    const res = await pending;
    expect(res.provider).toBe('backup');
    const recs = (await service.runFullCheck()).recommendations;
    const r = find(recs, '*', 'primary_failing')!;
    expect(r.severity).toBe('warning');
    expect(r.issue).toContain('Primary primary is failing while the chain succeeds through backup, third');
  });

  it('auto-resolves when the provider is healthy again, keeping the resolved record', async () => {
    const a = fakeAdapter('a', 'GW_PROVIDER_AUTH');
    const { service, clock, registry } = setup([a, fakeAdapter('b')]);
    await service.runFullCheck();
    expect(await registry.getRecommendations({ severity: 'critical' })).toHaveLength(1);
    a.behaviour = 'ok';
    await clock.advance(10 * 60_000);
    const { recommendations } = await service.runFullCheck();
    expect(recommendations.filter((r) => r.severity !== 'info')).toEqual([]);
    const all = await registry.getRecommendations({ includeResolved: true });
    expect(find(all, 'a', 'auth')!.resolvedAt).toBe(clock.now());
    expect(find(all, '*', 'no_redundancy')!.resolvedAt).toBe(clock.now());
  });

  it('deduplicates across runs: one record with occurrences counted', async () => {
    const { service, clock, registry } = setup([fakeAdapter('a', 'GW_PROVIDER_AUTH'), fakeAdapter('b')]);
    for (let i = 0; i < 3; i++) {
      await service.runFullCheck();
      await clock.advance(1_000);
    }
    const auth = (await registry.getRecommendations()).filter((r) => r.issueKey === 'auth');
    expect(auth).toHaveLength(1);
    expect(auth[0]).toMatchObject({ occurrences: 3, firstSeen: T0, lastSeen: T0 + 2_000 });
  });
});
