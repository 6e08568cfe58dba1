/**
 * Jobs on the Redis store (BullMQ outbox), two gateway instances on one real Redis: a job
 * submitted to one is drained by both, every item once; status, results, resubmission,
 * pause/resume/cancel; the items of a job still being received are not sent.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { validateConfig } from '../../src/config/load.js';
import type { GatewayConfigInput } from '../../src/config/schema.js';
import { Gateway } from '../../src/gateway.js';
import { createServer } from '../../src/server/index.js';
import { redisSkipReason, startRedis, type RedisServer } from '../harness/redis.js';
import { api, silent, testConfigInput } from '../server/helpers.js';
import { jobStatus as status, waitForJob as waitFor, webhookItems, type JobView } from './job-helpers.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe.skipIf(redisSkipReason())('jobs (Redis store, two instances)', () => {
  let server: RedisServer;
  let prefix = 0;
  const closers: (() => Promise<void>)[] = [];
  beforeAll(async () => {
    server = await startRedis();
  });
  afterEach(async () => {
    for (const c of closers.splice(0).reverse()) await c();
  });
  afterAll(async () => {
    await server?.close();
  });

  /** Two instances on one Redis (a fresh prefix per test); each server runs its instance's worker. */
  const openTwo = async (mutate?: (raw: GatewayConfigInput) => void) => {
    const store = `${server.url}?prefix=jobs${++prefix}:`;
    const one = async () => {
      const raw = testConfigInput();
      raw.store = store;
      raw.delivery = { outbox: { pollMs: 20, leaseMs: 2_000, baseDelayMs: 20, maxDelayMs: 50 } };
      mutate?.(raw);
      const gateway = await Gateway.create({ config: validateConfig(raw, {}).config, snapshotIntervalMs: 0 });
      const app = createServer(gateway, { logger: silent(), periodicChecks: false });
      await app.ready();
      closers.push(async () => {
        await app.close();
        await gateway.close();
      });
      return { app, gateway };
    };
    return [await one(), await one()] as const;
  };
  const sandboxes = (gateways: readonly Gateway[], names: readonly string[]) => gateways.flatMap((g) => names.map((n) => g.getSandbox(n)!));

  it('a job submitted to one instance is drained by both, every item once, with counts, providers and results in position order', async () => {
    const [a, b] = await openTwo();
    const res = await a.app.inject({
      method: 'POST',
      url: '/v1/jobs',
      headers: api,
      payload: { capability: 'webhook_dispatch', items: webhookItems(1_200) },
    });
    expect(res.statusCode).toBe(202);
    const id = res.json<{ job: { id: string } }>().job.id;
    expect(res.json().job).toMatchObject({ state: 'running', items: 1_200 });
    // The other instance sees the same job.
    expect((await status(b.app, id)).items).toBe(1_200);
    const done = await waitFor(b.app, id, (j) => j.state === 'completed');
    expect(done.counts).toMatchObject({ pending: 0, in_progress: 0, delivered: 1_200, failed: 0, dead: 0 });
    expect(Object.values(done.providers).reduce((s, n) => s + n, 0)).toBe(1_200);
    const sent = sandboxes([a.gateway, b.gateway], ['hook_primary', 'hook_backup']);
    for (let i = 0; i < 1_200; i++) expect(sent.reduce((s, x) => s + x.deliveryCount(`${id}:${i}`), 0)).toBe(1);
    // Both instances took part (the feeder gives the queue to every worker).
    const byInstance = [a.gateway, b.gateway].map((g) =>
      sandboxes([g], ['hook_primary', 'hook_backup']).reduce((s, x) => s + x.deliveredKeys, 0),
    );
    expect(byInstance[0]! + byInstance[1]!).toBe(1_200);
    expect(Math.min(...byInstance)).toBeGreaterThan(0);
    const results = await b.app.inject({ method: 'GET', url: `/v1/jobs/${id}/results?from=1190`, headers: api });
    const lines = results.body
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { position: number; state: string; idempotencyKey: string });
    expect(lines.map((l) => l.position)).toEqual([...Array(10).keys()].map((k) => 1_190 + k));
    expect(lines.every((l) => l.state === 'delivered')).toBe(true);
    expect(lines[0]!.idempotencyKey).toBe(`${id}:1190`);
    expect((await a.app.inject({ method: 'GET', url: '/v1/jobs', headers: api })).json().jobs.map((j: JobView) => j.id)).toEqual([id]);
  });

  it('a job sent again under its key answers with the first job; item keys seen before are duplicates and nothing is sent twice', async () => {
    const [a, b] = await openTwo();
    const items = [
      { idempotencyKey: 'contact-1', request: webhookItems(1)[0] },
      { idempotencyKey: 'contact-2', request: webhookItems(1)[0] },
      { idempotencyKey: 'contact-3', request: { event: 'contact.updated', payload: {} } },
    ];
    const first = await a.app.inject({
      method: 'POST',
      url: '/v1/jobs',
      headers: { ...api, 'idempotency-key': 'campaign-1' },
      payload: { capability: 'webhook_dispatch', items: items.slice(0, 2) },
    });
    const id = first.json<{ job: { id: string } }>().job.id;
    await waitFor(a.app, id, (j) => j.state === 'completed');
    const again = await b.app.inject({
      method: 'POST',
      url: '/v1/jobs',
      headers: { ...api, 'idempotency-key': 'campaign-1' },
      payload: { capability: 'webhook_dispatch', items: items.slice(0, 2) },
    });
    expect(again.statusCode).toBe(202);
    expect(again.headers['idempotent-replayed']).toBe('true');
    expect(again.json()).toMatchObject({ replayed: true, job: { id, items: 2 } });
    // A new job with the same item keys (and one new one): the two are duplicates, one is sent.
    const other = await b.app.inject({ method: 'POST', url: '/v1/jobs', headers: api, payload: { capability: 'webhook_dispatch', items } });
    const done = await waitFor(b.app, other.json<{ job: { id: string } }>().job.id, (j) => j.state === 'completed');
    expect(done.counts).toMatchObject({ duplicate: 2, delivered: 1 });
    const sent = sandboxes([a.gateway, b.gateway], ['hook_primary', 'hook_backup']);
    for (const key of ['contact-1', 'contact-2', 'contact-3']) expect(sent.reduce((s, x) => s + x.deliveryCount(key), 0)).toBe(1);
    // The same key with another request fails that item (the ledger's mismatch), and nothing is sent.
    const mismatch = await a.app.inject({
      method: 'POST',
      url: '/v1/jobs',
      headers: api,
      payload: { capability: 'webhook_dispatch', items: [{ idempotencyKey: 'contact-1', request: { event: 'other.event', payload: {} } }] },
    });
    const failed = await waitFor(a.app, mismatch.json<{ job: { id: string } }>().job.id, (j) => j.state === 'completed');
    expect(failed.counts).toMatchObject({ failed: 1, delivered: 0 });
    const line = JSON.parse((await a.app.inject({ method: 'GET', url: `/v1/jobs/${failed.id}/results`, headers: api })).body.trim()) as {
      state: string;
      error: { code: string };
    };
    expect(line).toMatchObject({ state: 'failed', error: { code: 'GW_IDEMPOTENCY_MISMATCH' } });
  });

  it('items of a job still being received are not sent; a resubmission meanwhile is told 409', async () => {
    const [a, b] = await openTwo();
    let release!: () => void;
    const held = new Promise<void>((r) => (release = r));
    const slow = a.gateway.jobs!.submit(
      'webhook_dispatch',
      (async function* () {
        for (const item of webhookItems(600)) yield item; // more than one stored chunk
        await held;
      })(),
      { key: 'campaign-2' },
    );
    await sleep(300);
    const during = await b.app.inject({
      method: 'POST',
      url: '/v1/jobs',
      headers: { ...api, 'idempotency-key': 'campaign-2' },
      payload: { capability: 'webhook_dispatch', items: webhookItems(1) },
    });
    expect(during.statusCode).toBe(409);
    expect(during.json().error.code).toBe('GW_IDEMPOTENCY_IN_FLIGHT');
    const sent = sandboxes([a.gateway, b.gateway], ['hook_primary', 'hook_backup']);
    expect(sent.reduce((s, x) => s + x.calls, 0)).toBe(0);
    release();
    const { job } = await slow;
    const done = await waitFor(b.app, job.id, (j) => j.state === 'completed');
    expect(done.counts.delivered).toBe(600);
  });

  it('pause holds the items not yet started on both instances, resume sends them, cancel ends the rest as cancelled and frees their keys', async () => {
    const [a, b] = await openTwo((raw) => {
      raw.capabilities.webhook_dispatch!.providers = [
        { name: 'hook_primary', type: 'webhook', sandbox: { latencyMs: 0 }, limits: { ratePerSecond: 20, burst: 1 } },
      ];
      // Two calls in flight per instance: an item past its pause/cancel check (waiting for a turn) ends; few are.
      raw.delivery!.outbox!.concurrency = 2;
    });
    const res = await a.app.inject({
      method: 'POST',
      url: '/v1/jobs',
      headers: api,
      payload: { capability: 'webhook_dispatch', items: webhookItems(80) },
    });
    const id = res.json<{ job: { id: string } }>().job.id;
    await waitFor(a.app, id, (j) => j.counts.delivered >= 3);
    expect((await b.app.inject({ method: 'POST', url: `/v1/jobs/${id}/pause`, headers: api })).json().job.state).toBe('paused');
    const sent = () => sandboxes([a.gateway, b.gateway], ['hook_primary']).reduce((s, x) => s + x.deliveredKeys, 0);
    // Calls already past the pause check end (waiting for a turn at the provider's pace); then nothing starts.
    await sleep(1_500);
    const held = await waitFor(a.app, id, (j) => j.counts.in_progress === 0);
    const before = sent();
    await sleep(600);
    expect(sent()).toBe(before);
    const still = await status(a.app, id);
    expect(still.counts.delivered).toBe(before);
    expect(still.counts.pending).toBe(80 - held.counts.delivered);
    await a.app.inject({ method: 'POST', url: `/v1/jobs/${id}/resume`, headers: api });
    await waitFor(a.app, id, (j) => j.counts.delivered >= before + 3);
    const cancelled = (await a.app.inject({ method: 'POST', url: `/v1/jobs/${id}/cancel`, headers: api })).json().job;
    expect(cancelled.state).toBe('cancelled');
    const end = await waitFor(b.app, id, (j) => j.counts.pending === 0 && j.counts.in_progress === 0);
    expect(end.counts.delivered + end.counts.cancelled).toBe(80);
    expect(end.counts.cancelled).toBeGreaterThan(0);
    expect(sent()).toBe(end.counts.delivered);
    // A cancelled item's key is free: the same key in a new job is sent, not a duplicate.
    const lines = (await a.app.inject({ method: 'GET', url: `/v1/jobs/${id}/results?failures=true`, headers: api })).body
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { position: number; state: string; idempotencyKey: string });
    expect(lines).toHaveLength(end.counts.cancelled);
    expect(lines.every((l) => l.state === 'cancelled')).toBe(true);
    const retry = await b.app.inject({
      method: 'POST',
      url: '/v1/jobs',
      headers: api,
      payload: { capability: 'webhook_dispatch', items: [{ idempotencyKey: lines[0]!.idempotencyKey, request: webhookItems(1)[0] }] },
    });
    const again = await waitFor(b.app, retry.json<{ job: { id: string } }>().job.id, (j) => j.state === 'completed');
    expect(again.counts).toMatchObject({ delivered: 1, duplicate: 0 });
  });
});
