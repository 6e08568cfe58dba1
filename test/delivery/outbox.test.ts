/** The durable outbox on SQLite: 202 before delivery, durability, backoff, outage waiting, lease takeover, dead-letter. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { systemClock } from '../../src/core/clock.js';
import { resolveDeliveryRecommendations } from '../../src/delivery/dead-letter.js';
import type { LeasableOutbox } from '../../src/delivery/outbox.js';
import { OutboxWorker } from '../../src/delivery/outbox-worker.js';
import { validateConfig } from '../../src/config/load.js';
import { deliveryConfig, deliveryFixture, hook, post, type DeliveryFixture } from './helpers.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const fastOutbox = { baseDelayMs: 50, maxDelayMs: 100, leaseMs: 300, pollMs: 20 };

describe('durable outbox (SQLite)', () => {
  let dir: string;
  let f: DeliveryFixture | undefined;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'aicmo-outbox-'));
  });
  afterEach(async () => {
    await f?.close();
    f = undefined;
    rmSync(dir, { recursive: true, force: true });
  });
  const open = async (providers = [{ name: 'hook_a' }, { name: 'hook_b' }]) => {
    f = await deliveryFixture(deliveryConfig({ providers, store: `sqlite:${join(dir, 'gw.db')}`, delivery: { outbox: fastOutbox } }));
    return f;
  };
  const outboxOf = (x: DeliveryFixture) => x.service.outbox as LeasableOutbox;
  const worker = (x: DeliveryFixture, policy: Partial<typeof fastOutbox & { maxAgeMs: number }> = {}, owner?: string) =>
    new OutboxWorker({
      outbox: outboxOf(x),
      chains: x.service.chains,
      clock: systemClock,
      policy: { maxAgeMs: 3_600_000, ...fastOutbox, ...policy },
      recommendations: x.gateway.store,
      ...(owner ? { owner } : {}),
    });

  it('answers 202 with a delivery id once every provider failed over, with the record already on disk', async () => {
    const x = await open();
    for (const n of ['hook_a', 'hook_b']) x.gateway.getSandbox(n)!.setFailure('transient');
    const res = await post(x.app, hook(), { 'idempotency-key': 'k-202' });
    expect(res.statusCode).toBe(202);
    const { deliveryId, location } = res.json();
    expect(res.headers.location).toBe(`/v1/deliveries/${deliveryId}`);
    expect(location).toBe(res.headers.location);
    // Another connection (another process) sees it committed.
    const db = new Database(join(dir, 'gw.delivery.db'), { readonly: true });
    expect(db.prepare('SELECT state, idempotency_key FROM outbox WHERE id = ?').get(deliveryId)).toEqual({
      state: 'pending',
      idempotency_key: 'k-202',
    });
    expect((db.prepare('SELECT state FROM ledger WHERE key = ?').get('k-202') as { state: string }).state).toBe('queued');
    db.close();
    const shown = await x.app.inject({ method: 'GET', url: location });
    expect(shown.json().delivery).toMatchObject({
      id: deliveryId,
      state: 'pending',
      attempts: 0,
      lastError: { code: 'GW_ALL_PROVIDERS_FAILED' },
    });
    // A replay while queued answers 202 with the same delivery.
    const replay = await post(x.app, hook(), { 'idempotency-key': 'k-202' });
    expect(replay.statusCode).toBe(202);
    expect(replay.json().deliveryId).toBe(deliveryId);
    x.gateway.getSandbox('hook_a')!.setFailure(null);
    x.gateway.getProviderChain('webhook_dispatch')!.providers.forEach((p) => p.reset());
    expect(await worker(x).tick()).toBe('processed');
    expect((await x.app.inject({ method: 'GET', url: location })).json().delivery).toMatchObject({
      state: 'delivered',
      provider: 'hook_a',
      attempts: 1,
    });
    const done = await post(x.app, hook(), { 'idempotency-key': 'k-202' });
    expect(done.statusCode).toBe(200);
    expect(done.json()).toMatchObject({ provider: 'hook_a', replayed: true });
    expect(x.gateway.getSandbox('hook_a')!.deliveries.get('k-202')).toBe(1);
  });

  it('queues at once with Prefer: respond-async and survives a restart before delivery', async () => {
    let x = await open();
    const res = await post(x.app, hook(), { 'idempotency-key': 'k-async', prefer: 'respond-async' });
    expect(res.statusCode).toBe(202);
    expect(x.gateway.getSandbox('hook_a')!.calls).toBe(0);
    await x.close();
    f = undefined;
    x = await open();
    const rec = await outboxOf(x).get(res.json().deliveryId);
    expect(rec).toMatchObject({ state: 'pending', idempotencyKey: 'k-async' });
    expect(await worker(x).tick()).toBe('processed');
    expect(x.gateway.getSandbox('hook_a')!.deliveries.get('k-async')).toBe(1);
    expect(await worker(x).tick()).toBe('idle');
  });

  it('retries with growing, jittered delays and waits while no provider is usable', async () => {
    const x = await open([{ name: 'hook_a' }]);
    const sandbox = x.gateway.getSandbox('hook_a')!;
    const { deliveryId } = (await post(x.app, hook(), { 'idempotency-key': 'k-back', prefer: 'respond-async' })).json();
    sandbox.setFailure('transient');
    const w = worker(x, { baseDelayMs: 200, maxDelayMs: 10_000 });
    const t0 = Date.now();
    expect(await w.tick()).toBe('processed');
    const r1 = (await outboxOf(x).get(deliveryId))!;
    expect(r1).toMatchObject({ state: 'pending', attempts: 1, lastError: { kind: 'transient' } });
    expect(r1.nextAttemptAt! - t0).toBeGreaterThanOrEqual(100);
    expect(await w.tick()).toBe('idle'); // not due yet
    // The provider is isolated (outage): nothing is leased, nothing is called.
    x.gateway.findProvider('hook_a')!.isolate();
    await sleep(250);
    const calls = sandbox.calls;
    expect(await w.tick()).toBe('idle');
    expect(sandbox.calls).toBe(calls);
    x.gateway.findProvider('hook_a')!.reset();
    expect(await w.tick()).toBe('processed');
    const r2 = (await outboxOf(x).get(deliveryId))!;
    expect(r2.attempts).toBe(2);
    expect(r2.nextAttemptAt! - r1.nextAttemptAt!).toBeGreaterThan(0);
    sandbox.setFailure(null);
    await sleep(r2.nextAttemptAt! - Date.now() + 5);
    expect(await w.tick()).toBe('processed');
    expect((await outboxOf(x).get(deliveryId))!.state).toBe('delivered');
    expect(sandbox.deliveries.get('k-back')).toBe(1);
  });

  it('takes over the lease of a crashed worker; a worker that crashed mid-call leaves an unknown outcome, not a duplicate', async () => {
    const x = await open([{ name: 'hook_a' }]);
    const sandbox = x.gateway.getSandbox('hook_a')!;
    const a = (await post(x.app, hook(1), { 'idempotency-key': 'k-lease-a', prefer: 'respond-async' })).json().deliveryId as string;
    const crashed = await outboxOf(x).lease('crashed-worker', Date.now(), 150, ['webhook_dispatch']);
    expect(crashed?.record.id).toBe(a);
    const w = worker(x);
    expect(await w.tick()).toBe('idle'); // the lease is still held
    await sleep(200);
    expect(await w.tick()).toBe('processed');
    expect(await outboxOf(x).get(a)).toMatchObject({ state: 'delivered', attempts: 2 });
    expect(sandbox.deliveries.get('k-lease-a')).toBe(1);
    // The crashed worker's late report is refused.
    expect(
      await outboxOf(x).finish(
        a,
        'crashed-worker',
        { state: 'pending', nextAttemptAt: 0, error: { code: 'GW_PROVIDER_TRANSIENT', kind: 'transient', message: 'late' } },
        Date.now(),
      ),
    ).toBe(false);

    const b = (await post(x.app, hook(2), { 'idempotency-key': 'k-lease-b', prefer: 'respond-async' })).json().deliveryId as string;
    await outboxOf(x).lease('crashed-worker', Date.now(), 100, ['webhook_dispatch']);
    expect(await outboxOf(x).markCalling(b, 'crashed-worker')).toBe(true);
    await sleep(150);
    expect(await w.tick()).toBe('processed');
    expect(await outboxOf(x).get(b)).toMatchObject({ state: 'unknown_outcome', lastError: { code: 'GW_UNKNOWN_OUTCOME' } });
    expect(sandbox.deliveries.get('k-lease-b')).toBeUndefined();
    expect((await post(x.app, hook(2), { 'idempotency-key': 'k-lease-b' })).json().error).toMatchObject({ code: 'GW_UNKNOWN_OUTCOME' });
    expect(await x.gateway.store.getRecommendation('*', 'webhook_dispatch', `outbox_unknown:${b}`)).toMatchObject({ severity: 'warning' });
    // Operator: not delivered -> delivered again, once.
    await x.service.resolve('k-lease-b', false);
    expect(await w.tick()).toBe('processed');
    expect(sandbox.deliveries.get('k-lease-b')).toBe(1);
  });

  it('dead-letters at the maximum age with a critical recommendation naming the delivery', async () => {
    const x = await open([{ name: 'hook_a' }]);
    x.gateway.getSandbox('hook_a')!.setFailure('transient');
    const res = await post(x.app, hook(), { 'idempotency-key': 'k-dead' });
    expect(res.statusCode).toBe(202);
    const id = res.json().deliveryId as string;
    const w = worker(x, { maxAgeMs: 300, baseDelayMs: 50, maxDelayMs: 50 });
    for (let i = 0; i < 40 && (await outboxOf(x).get(id))!.state !== 'dead'; i++) {
      x.gateway.findProvider('hook_a')!.reset();
      await w.tick();
      await sleep(30);
    }
    const rec = (await outboxOf(x).get(id))!;
    expect(rec.state).toBe('dead');
    expect(rec.attempts).toBeGreaterThanOrEqual(2);
    const recs = await x.gateway.store.queryRecommendations({ severity: 'critical' });
    const dead = recs.find((r) => r.issueKey === `outbox_dead:${id}`);
    expect(dead).toBeDefined();
    expect(dead!.issue).toContain(id);
    expect(dead!.action).toContain(`outbox retry ${id}`);
    // Retry after the fix: delivered, recommendation resolved.
    x.gateway.getSandbox('hook_a')!.setFailure(null);
    x.gateway.findProvider('hook_a')!.reset();
    await outboxOf(x).retry(id, Date.now());
    await resolveDeliveryRecommendations(x.gateway.store, rec, Date.now());
    expect(await w.tick()).toBe('processed');
    expect((await outboxOf(x).get(id))!.state).toBe('delivered');
    expect((await x.gateway.store.getRecommendation('*', 'webhook_dispatch', `outbox_dead:${id}`))!.resolvedAt).not.toBeNull();
  });

  it('one lane per capability: deliveries of a capability whose provider hangs do not hold up another capability', async () => {
    const config = validateConfig(
      {
        mode: 'dry_run',
        store: `sqlite:${join(dir, 'gw.db')}`,
        logLevel: 'silent',
        monitoring: { intervalSeconds: 0 },
        delivery: { outbox: { ...fastOutbox, leaseMs: 2_500 } },
        capabilities: {
          crm_sync: { providers: [{ name: 'crm_hangs', type: 'airtable', sandbox: { latencyMs: 0, hangRate: 1 } }] },
          webhook_dispatch: { providers: [{ name: 'hook_a', type: 'webhook', sandbox: { latencyMs: 0 } }] },
        },
      },
      {},
    ).config;
    f = await deliveryFixture(config);
    const x = f;
    const crmIds: string[] = [];
    for (let i = 0; i < 20; i++) {
      const res = await x.app.inject({
        method: 'POST',
        url: '/v1/capabilities/crm_sync',
        headers: { prefer: 'respond-async', 'idempotency-key': `crm-${i}` },
        payload: { mergeOn: ['email'], records: [{ fields: { email: `p${i}@example.com` } }] },
      });
      crmIds.push(res.json<{ deliveryId: string }>().deliveryId);
    }
    for (let i = 0; i < 20; i++) await post(x.app, hook(i), { 'idempotency-key': `hook-${i}`, prefer: 'respond-async' });
    const w = new OutboxWorker({
      outbox: outboxOf(x),
      chains: x.service.chains,
      clock: systemClock,
      policy: { maxAgeMs: 3_600_000, ...fastOutbox, leaseMs: 2_500, concurrency: 4 },
    });
    w.start();
    try {
      const hooks = x.gateway.getSandbox('hook_a')!;
      for (let t = 0; t < 1_800 && hooks.deliveries.size < 20; t += 20) await sleep(20);
      // Every webhook was delivered while the CRM deliveries (oldest first in the outbox) still hang: 4 in flight, none ended.
      expect(hooks.deliveries.size).toBe(20);
      const crm = await Promise.all(crmIds.map((id) => outboxOf(x).get(id)));
      expect(crm.filter((d) => d!.state === 'in_progress')).toHaveLength(4);
      expect(crm.filter((d) => d!.state === 'pending')).toHaveLength(16);
    } finally {
      await w.stop();
    }
  });
});
