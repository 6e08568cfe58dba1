/**
 * Through the chain (issue 5): Airtable answers 429 -> the CRM webhook takes over -> after
 * Airtable's reset time (its 30 s rule) Airtable is readmitted (overflow `failover`). With the
 * default overflow `wait` and a deadline the reset fits, the records wait for Airtable instead
 * (issue 14: pacing, not spilling). Real Gateway in live mode against the Airtable simulator and
 * a Standard Webhooks receiver on loopback.
 *
 * Time: the adapters do real HTTP, but the engine's cool-down, breaker and deadlines run on the
 * Gateway's clock, so a ManualClock replaces 30 s of waiting. It starts at the real time
 * because the webhook adapter signs `webhook-timestamp` from the same clock and the receiver
 * (the standardwebhooks verifier) refuses timestamps more than 5 minutes off.
 */
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/core/clock.js';
import type { Gateway } from '../../src/gateway/gateway.js';
import { SelfCheckRegistry } from '../../src/monitoring/self-check-registry.js';
import { SelfCheckService } from '../../src/monitoring/self-check-service.js';
import * as airtableSim from '../simulators/airtable.js';
import * as receiverSim from '../simulators/webhook-receiver.js';
import { liveGateway, newWebhookSecret, statusOf, unavailableCode } from './helpers/live-gateway.js';

const secret = newWebhookSecret();
const sync = (email: string) => ({ mergeOn: ['Email'], records: [{ fields: { Email: email, Name: 'Ada' } }] });

describe('e2e: crm_sync, Airtable rate-limited, CRM webhook takes over, Airtable readmitted', () => {
  let airtable: airtableSim.AirtableSim;
  let receiver: receiverSim.WebhookReceiver;
  let gateway: Gateway;
  let clock: ManualClock;

  beforeAll(async () => {
    airtable = await airtableSim.start();
    receiver = await receiverSim.start({ secrets: [secret] });
  });
  afterAll(async () => {
    await airtable.close();
    await receiver.close();
  });
  beforeEach(async () => {
    airtable.reset();
    receiver.reset();
    clock = new ManualClock(Date.now());
    gateway = await liveGateway(
      { crm_sync: { overflow: 'failover', retry: { maxAttemptsPerProvider: 1 }, providers: providers() } },
      { clock },
    );
  });

  const providers = () => [
    {
      name: 'airtable_sync',
      type: 'airtable',
      options: { apiToken: airtable.token, baseId: airtable.baseId, table: 'Contacts', baseUrl: airtable.url },
    },
    {
      name: 'crm_webhook',
      type: 'crm_webhook',
      options: { url: `${receiver.url}/crm`, secrets: [secret], allowHttp: true, allowHosts: ['127.0.0.1'] },
    },
  ];
  afterEach(async () => {
    await gateway.close();
  });

  /** First sync: Airtable answers 429 once (no Retry-After: Airtable's 30 s rule applies). */
  const rateLimitAirtable = async () => {
    airtable.fail('rate_limit', { times: 1 });
    const t0 = clock.now();
    const r = await gateway.invoke('crm_sync', sync('ada@example.com'), { idempotencyKey: 'e2e-crm-1' });
    return { r, t0 };
  };

  it('429: the webhook serves, Airtable cools down for 30 s and is not called meanwhile', async () => {
    const { r, t0 } = await rateLimitAirtable();
    expect(r.provider).toBe('crm_webhook');
    expect(r.attempts).toHaveLength(2);
    expect(r.attempts[0]).toMatchObject({
      provider: 'airtable_sync',
      outcome: 'rate_limited',
      code: 'GW_PROVIDER_RATE_LIMITED',
      retryAfterMs: 30_000,
    });
    expect(r.attempts[1]).toMatchObject({ provider: 'crm_webhook', outcome: 'success' });
    expect(r.result).toMatchObject({ failed: 0, records: [{ index: 0 }] });

    // The delivery was verified by the receiver (standardwebhooks) and carries the records.
    expect([...receiver.events.keys()]).toEqual(['e2e-crm-1']);
    const delivered = receiver.events.get('e2e-crm-1')!;
    expect(delivered.payload.type).toBe('crm.records.upsert');
    expect(delivered.payload.data).toMatchObject({ mergeOn: ['Email'], records: [{ fields: { Email: 'ada@example.com' } }] });
    expect(receiver.refused).toEqual([]);
    expect(airtable.records('Contacts')).toEqual([]);

    const s = statusOf(gateway, 'airtable_sync');
    expect([s.health, s.breakerState, s.cooldownKind, s.cooldownUntil, s.failureCount]).toEqual([
      'DEGRADED',
      'closed',
      'rate_limited',
      t0 + 30_000,
      0,
    ]);
    expect(unavailableCode(gateway, 'airtable_sync')).toBe('GW_COOLING_DOWN');

    await clock.advance(10_000);
    const during = await gateway.invoke('crm_sync', sync('grace@example.com'), { idempotencyKey: 'e2e-crm-2' });
    expect(during.provider).toBe('crm_webhook');
    expect(during.attempts.filter((a) => a.provider === 'airtable_sync' && a.outcome !== 'skipped')).toEqual([]);
    expect(airtable.requests).toHaveLength(1); // only the 429
    expect(unavailableCode(gateway, 'airtable_sync')).toBe('GW_COOLING_DOWN');
  });

  // Fixed (test/e2e/README.md, finding 1): the cooling-down primary is ordered after the healthy
  // webhook and the loop returns at the webhook's success, so the trace never says GW_COOLING_DOWN.
  it('while Airtable cools down, the trace records it as skipped (GW_COOLING_DOWN)', async () => {
    await rateLimitAirtable();
    await clock.advance(10_000);
    const during = await gateway.invoke('crm_sync', sync('grace@example.com'), { idempotencyKey: 'e2e-crm-2' });
    expect(during.provider).toBe('crm_webhook');
    expect(during.attempts).toContainEqual(
      expect.objectContaining({ provider: 'airtable_sync', outcome: 'skipped', code: 'GW_COOLING_DOWN' }),
    );
  });

  it('after the reset time Airtable is readmitted: it serves again and its cool-down is cleared', async () => {
    // Airtable has been serving: its window holds a success.
    const before = await gateway.invoke('crm_sync', sync('ada@example.com'), { idempotencyKey: 'e2e-crm-0' });
    expect(before.provider).toBe('airtable_sync');
    expect(statusOf(gateway, 'airtable_sync').health).toBe('HEALTHY');

    airtable.fail('rate_limit', { times: 1 });
    const t0 = clock.now();
    const limited = await gateway.invoke('crm_sync', sync('grace@example.com'), { idempotencyKey: 'e2e-crm-1' });
    expect(limited.provider).toBe('crm_webhook');
    expect(limited.attempts.map((a) => [a.provider, a.outcome])).toEqual([
      ['airtable_sync', 'rate_limited'],
      ['crm_webhook', 'success'],
    ]);
    expect(statusOf(gateway, 'airtable_sync')).toMatchObject({
      health: 'DEGRADED',
      cooldownUntil: t0 + 30_000,
      cooldownKind: 'rate_limited',
    });

    await clock.advance(29_999);
    expect(unavailableCode(gateway, 'airtable_sync')).toBe('GW_COOLING_DOWN');
    const during = await gateway.invoke('crm_sync', sync('linus@example.com'), { idempotencyKey: 'e2e-crm-2' });
    expect(during.provider).toBe('crm_webhook');
    expect(airtable.requests).toHaveLength(2); // the success and the 429, nothing during the cool-down

    await clock.advance(1);
    expect(unavailableCode(gateway, 'airtable_sync')).toBeNull();
    expect(statusOf(gateway, 'airtable_sync')).toMatchObject({
      health: 'HEALTHY',
      cooldownUntil: null,
      cooldownKind: null,
      breakerState: 'closed',
    });

    const back = await gateway.invoke('crm_sync', sync('grace@example.com'), { idempotencyKey: 'e2e-crm-3' });
    expect(back.provider).toBe('airtable_sync');
    expect(back.attempts.map((a) => [a.provider, a.outcome])).toEqual([['airtable_sync', 'success']]);
    expect(back.result).toMatchObject({ created: 1, failed: 0 });
    expect(airtable.records('Contacts').map((x) => x.fields.Email)).toEqual(['ada@example.com', 'grace@example.com']);
    expect([...receiver.events.keys()]).toEqual(['e2e-crm-1', 'e2e-crm-2']);
    // The success after the reset clears the stored cool-down too (what a restart would restore).
    expect(gateway.findProvider('airtable_sync')!.snapshot()).toMatchObject({ cooldownUntil: null, cooldownKind: null });
  });

  it('429 on the very first call: after the reset a self-check probe ranks Airtable HEALTHY and it serves again', async () => {
    const { t0 } = await rateLimitAirtable();
    await clock.advance(30_000);
    expect(clock.now()).toBe(t0 + 30_000);
    expect(unavailableCode(gateway, 'airtable_sync')).toBeNull();
    // The 429 counts as a call in its window, not as a failure (a rate limit is a cool-down, not an outage).
    expect(statusOf(gateway, 'airtable_sync')).toMatchObject({ health: 'HEALTHY', cooldownUntil: null, windowCalls: 1, failureCount: 0 });

    const service = new SelfCheckService({
      registry: new SelfCheckRegistry({ store: gateway.store, clock }),
      clock,
      chains: () => gateway.listProviderChains(),
    });
    const check = await service.runFullCheck();
    expect(check.results.find((c) => c.provider === 'airtable_sync')).toMatchObject({ success: true });
    expect(airtable.requests.at(-1)).toMatchObject({ method: 'GET', path: '/v0/appSIMbase000001/Contacts' }); // the probe's read of the configured table
    expect(statusOf(gateway, 'airtable_sync').health).toBe('HEALTHY');

    const back = await gateway.invoke('crm_sync', sync('grace@example.com'), { idempotencyKey: 'e2e-crm-3' });
    expect(back.attempts.map((a) => [a.provider, a.outcome])).toEqual([['airtable_sync', 'success']]);
    expect(airtable.records('Contacts').map((x) => x.fields.Email)).toEqual(['grace@example.com']);
  });

  // Fixed (test/e2e/README.md, finding 2): when the 429 was Airtable's only call in the window,
  // nothing is recorded (a rate limit is a cool-down, not a failure), so after the reset Airtable is
  // UNKNOWN and priority ranks the HEALTHY webhook first (src/core/ordering.ts). Without a probe it
  // never gets traffic back while the webhook succeeds: one 429 demoted the configured primary for good.
  it('429 on the very first call; after the reset time, without a self-check, Airtable serves again', async () => {
    await rateLimitAirtable();
    await clock.advance(30_000);
    expect(unavailableCode(gateway, 'airtable_sync')).toBeNull();
    const next = await gateway.invoke('crm_sync', sync('grace@example.com'), { idempotencyKey: 'e2e-crm-3' });
    expect(next.provider).toBe('airtable_sync');
  });

  it("overflow wait (the default): after a 429 the records wait for Airtable's reset instead of landing in the webhook", async () => {
    await gateway.close();
    gateway = await liveGateway({ crm_sync: { deadlineMs: 60_000, providers: providers() } }, { clock });
    airtable.fail('rate_limit', { times: 1 });
    const t0 = clock.now();
    const first = gateway.invoke('crm_sync', sync('ada@example.com'), { idempotencyKey: 'e2e-wait-1' });
    const settleHttp = () => new Promise((r) => setTimeout(r, 20));
    await settleHttp();
    await clock.advance(10_000);
    const second = gateway.invoke('crm_sync', sync('grace@example.com'), { idempotencyKey: 'e2e-wait-2' });
    await settleHttp();
    await clock.advance(19_999);
    await settleHttp();
    expect(airtable.requests).toHaveLength(1); // only the 429: nothing before the reset
    expect(receiver.events.size).toBe(0);
    for (let t = 0; t < 10_000 && airtable.requests.length < 3; t += 100) {
      await clock.advance(100);
      await settleHttp();
    }
    const [a, b] = await Promise.all([first, second]);
    expect([a.provider, b.provider]).toEqual(['airtable_sync', 'airtable_sync']);
    expect(a.attempts.map((x) => [x.provider, x.outcome])).toEqual([
      ['airtable_sync', 'rate_limited'],
      ['airtable_sync', 'success'],
    ]);
    expect(clock.now()).toBeGreaterThanOrEqual(t0 + 30_000);
    expect(
      airtable
        .records('Contacts')
        .map((x) => x.fields.Email)
        .sort(),
    ).toEqual(['ada@example.com', 'grace@example.com']);
    expect(receiver.events.size).toBe(0);
  });
});
