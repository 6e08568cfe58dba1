/** The outbox on BullMQ over a real Redis: 202 then delivery, delayed retries, takeover of a stalled job, dead-letter. */
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { systemClock } from '../../src/core/clock.js';
import { BullmqOutbox, bullPrefix, OUTBOX_QUEUE } from '../../src/delivery/bullmq-outbox.js';
import { BullmqOutboxWorker } from '../../src/delivery/bullmq-worker.js';
import { validateConfig } from '../../src/config/load.js';
import type { RedisLedger } from '../../src/delivery/redis-ledger.js';
import { redisSkipReason, startRedis, type RedisServer } from '../harness/redis.js';
import { deliveryConfig, deliveryFixture, hook, post, type DeliveryFixture } from './helpers.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
async function until<T>(fn: () => Promise<T | undefined | false>, ms = 8_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > end) throw new Error('condition not met in time');
    await sleep(25);
  }
}

describe.skipIf(redisSkipReason())('outbox on BullMQ', () => {
  let server: RedisServer;
  let f: DeliveryFixture | undefined;
  let worker: BullmqOutboxWorker | undefined;
  let n = 0;
  beforeAll(async () => {
    server = await startRedis();
  });
  afterEach(async () => {
    await worker?.stop();
    worker = undefined;
    await f?.close();
    f = undefined;
  });
  afterAll(async () => {
    await server?.close();
  });
  const open = async (providers = [{ name: 'hook_a' }]) => {
    f = await deliveryFixture(deliveryConfig({ providers }), { storeUrl: `${server.url}?prefix=bq${n++}:` });
    return f;
  };
  const outboxOf = (x: DeliveryFixture) => x.service.outbox as BullmqOutbox;
  const startWorker = (
    x: DeliveryFixture,
    policy: Partial<{
      maxAgeMs: number;
      baseDelayMs: number;
      maxDelayMs: number;
      leaseMs: number;
      pollMs: number;
      concurrency: number;
    }> = {},
  ) => {
    worker = new BullmqOutboxWorker({
      outbox: outboxOf(x),
      ledger: x.service.ledger as RedisLedger,
      chains: x.service.chains,
      clock: systemClock,
      recommendations: x.gateway.store,
      policy: { maxAgeMs: 3_600_000, baseDelayMs: 50, maxDelayMs: 100, leaseMs: 1_000, pollMs: 50, ...policy },
    });
    worker.start();
    return worker;
  };

  it('answers 202 when every provider failed over, retries with delays, delivers once, then replays 200', async () => {
    const x = await open();
    const sandbox = x.gateway.getSandbox('hook_a')!;
    sandbox.setFailure('transient');
    const res = await post(x.app, hook(), { 'idempotency-key': 'bq-1' });
    expect(res.statusCode).toBe(202);
    const id = res.json().deliveryId as string;
    expect(await outboxOf(x).queue.getJob(id)).toBeDefined();
    startWorker(x);
    const retried = await until(async () => {
      const r = await outboxOf(x).get(id);
      return r && r.attempts >= 2 && r.state === 'pending' ? r : undefined;
    });
    expect(retried.lastError?.kind).toBe('transient');
    // The worker stores the record, then moves the job to the delayed set.
    await until(async () => (await outboxOf(x).queue.getJob(id))!.isDelayed());
    sandbox.setFailure(null);
    x.gateway.findProvider('hook_a')!.reset();
    const done = await until(async () => {
      const r = await outboxOf(x).get(id);
      return r?.state === 'delivered' ? r : undefined;
    });
    expect(done.provider).toBe('hook_a');
    expect(sandbox.deliveries.get('bq-1')).toBe(1);
    const replay = await post(x.app, hook(), { 'idempotency-key': 'bq-1' });
    expect(replay.statusCode).toBe(200);
    expect(replay.json()).toMatchObject({ replayed: true, provider: 'hook_a' });
    expect((await x.app.inject({ method: 'GET', url: `/v1/deliveries/${id}` })).json().delivery.state).toBe('delivered');
  });

  it('a job stalled by a crashed worker is taken over and delivered exactly once', async () => {
    const x = await open();
    const id = (await post(x.app, hook(), { 'idempotency-key': 'bq-stall', prefer: 'respond-async' })).json().deliveryId as string;
    const target = outboxOf(x).target;
    // A worker process takes the job and is killed with SIGKILL (its lock then expires).
    const crashed = spawn(process.execPath, ['--import', 'tsx', join(import.meta.dirname, 'stalling-worker.ts')], {
      env: { ...process.env, STALL_PORT: String(server.port), STALL_PREFIX: bullPrefix(target), STALL_QUEUE: OUTBOX_QUEUE },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    await new Promise<void>((resolve) => crashed.stdout.on('data', (d: Buffer) => d.toString().includes('TAKEN') && resolve()));
    expect(await (await outboxOf(x).queue.getJob(id))!.isActive()).toBe(true);
    crashed.kill('SIGKILL');
    startWorker(x, { leaseMs: 1_000 });
    await until(async () => (await outboxOf(x).get(id))?.state === 'delivered', 10_000);
    expect(x.gateway.getSandbox('hook_a')!.deliveries.get('bq-stall')).toBe(1);
  });

  it('a worker that died during the provider call leaves an unknown outcome, never a second send', async () => {
    const x = await open();
    x.gateway.getSandbox('hook_a')!.setFailure('transient');
    const id = (await post(x.app, hook(), { 'idempotency-key': 'bq-calling', prefer: 'respond-async' })).json().deliveryId as string;
    await outboxOf(x).setCalling(id, 'dead-worker');
    x.gateway.getSandbox('hook_a')!.setFailure(null);
    startWorker(x);
    const rec = await until(async () => {
      const r = await outboxOf(x).get(id);
      return r?.state === 'unknown_outcome' ? r : undefined;
    });
    expect(rec.lastError?.code).toBe('GW_UNKNOWN_OUTCOME');
    expect(x.gateway.getSandbox('hook_a')!.calls).toBe(0);
    expect((await post(x.app, hook(), { 'idempotency-key': 'bq-calling' })).json().error.code).toBe('GW_UNKNOWN_OUTCOME');
  });

  it('dead-letters at the maximum age into the failed set with a critical recommendation', async () => {
    const x = await open();
    x.gateway.getSandbox('hook_a')!.setFailure('transient');
    const id = (await post(x.app, hook(), { 'idempotency-key': 'bq-dead' })).json().deliveryId as string;
    startWorker(x, { maxAgeMs: 400 });
    const rec = await until(async () => {
      x.gateway.findProvider('hook_a')!.reset();
      const r = await outboxOf(x).get(id);
      return r?.state === 'dead' ? r : undefined;
    });
    expect(rec.attempts).toBeGreaterThanOrEqual(1);
    await until(async () => (await outboxOf(x).queue.getJob(id))?.isFailed());
    const r = await x.gateway.store.getRecommendation('*', 'webhook_dispatch', `outbox_dead:${id}`);
    expect(r).toMatchObject({ severity: 'critical', resolvedAt: null });
    expect(r!.issue).toContain(id);
    // Operator retry once the provider works: delivered.
    x.gateway.getSandbox('hook_a')!.setFailure(null);
    x.gateway.findProvider('hook_a')!.reset();
    await worker!.stop();
    worker = undefined;
    await outboxOf(x).retry(id, Date.now());
    startWorker(x);
    await until(async () => (await outboxOf(x).get(id))?.state === 'delivered');
    expect(x.gateway.getSandbox('hook_a')!.deliveries.get('bq-dead')).toBe(1);
    // The record says delivered as soon as the worker stores it; BullMQ moves the job to completed just after.
    await until(async () => (await outboxOf(x).counts()).delivered === 1);
  });

  it('one lane per capability: jobs of a capability whose provider hangs do not take the slots of another', async () => {
    const config = validateConfig(
      {
        mode: 'dry_run',
        store: 'memory:',
        logLevel: 'silent',
        monitoring: { intervalSeconds: 0 },
        capabilities: {
          crm_sync: { providers: [{ name: 'crm_hangs', type: 'airtable', sandbox: { latencyMs: 0, hangRate: 1 } }] },
          webhook_dispatch: { providers: [{ name: 'hook_a', type: 'webhook', sandbox: { latencyMs: 0 } }] },
        },
      },
      {},
    ).config;
    f = await deliveryFixture(config, { storeUrl: `${server.url}?prefix=bq${n++}:` });
    const x = f;
    for (let i = 0; i < 10; i++)
      await x.app.inject({
        method: 'POST',
        url: '/v1/capabilities/crm_sync',
        headers: { prefer: 'respond-async', 'idempotency-key': `bq-crm-${i}` },
        payload: { mergeOn: ['email'], records: [{ fields: { email: `p${i}@example.com` } }] },
      });
    for (let i = 0; i < 10; i++) await post(x.app, hook(i), { 'idempotency-key': `bq-hook-${i}`, prefer: 'respond-async' });
    startWorker(x, { leaseMs: 5_000, concurrency: 2 });
    const hooks = x.gateway.getSandbox('hook_a')!;
    // Webhooks all delivered while every CRM job still hangs (2 in flight, their 4 s deadline far off).
    await until(async () => hooks.deliveries.size === 10, 3_000);
    expect(x.gateway.getSandbox('crm_hangs')!.calls).toBe(2);
  });
});
