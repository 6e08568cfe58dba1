/** Several instances on one real Redis: the shared ledger, health hints, the shared rate limit and the leader lease. */
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RedisLedger } from '../../src/delivery/redis-ledger.js';
import { HealthHints } from '../../src/store/redis/health-hints.js';
import { LeaderLease } from '../../src/store/redis/leader-lease.js';
import { SharedRateLimiter } from '../../src/store/redis/shared-rate-limiter.js';
import { redisSkipReason, startRedis, type RedisServer } from '../harness/redis.js';
import { deliveryConfig, deliveryFixture, hook, post, type DeliveryFixture } from './helpers.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe.skipIf(redisSkipReason())('Redis coordination between instances', () => {
  let server: RedisServer;
  const conns: Redis[] = [];
  const conn = () => {
    const r = new Redis({ host: '127.0.0.1', port: server.port, maxRetriesPerRequest: null });
    conns.push(r);
    return r;
  };
  beforeAll(async () => {
    server = await startRedis();
  });
  afterAll(async () => {
    for (const c of conns) c.disconnect();
    await server?.close();
  });

  it('ledger: exactly one of many instances acquires a key; an expired holder becomes unknown_outcome', async () => {
    const ledgers = Array.from({ length: 4 }, () => new RedisLedger(conn(), 'lg:'));
    const now = Date.now();
    const results = await Promise.all(
      Array.from({ length: 40 }, (_, i) =>
        ledgers[i % 4]!.begin({ key: 'k1', capability: 'c', fingerprint: 'f', owner: `o${i}`, now, leaseMs: 200, ttlMs: 60_000 }),
      ),
    );
    expect(results.filter((r) => r.acquired)).toHaveLength(1);
    const owner = results.find((r) => r.acquired)!.entry.owner;
    expect(await ledgers[1]!.settle('k1', { state: 'succeeded', result: 1 }, now, 'someone-else')).toBe(false);
    await sleep(250);
    const late = await ledgers[2]!.begin({
      key: 'k1',
      capability: 'c',
      fingerprint: 'f',
      owner: 'x',
      now: Date.now(),
      leaseMs: 200,
      ttlMs: 60_000,
    });
    expect(late).toMatchObject({ acquired: false, entry: { state: 'unknown_outcome', error: { code: 'GW_UNKNOWN_OUTCOME' } } });
    expect(await ledgers[0]!.settle('k1', { state: 'succeeded', result: 1 }, Date.now(), owner)).toBe(false);
    expect((await ledgers[3]!.list({ state: 'unknown_outcome' }, Date.now())).map((e) => e.key)).toEqual(['k1']);
    // Results with empty arrays and nested objects survive the round trip.
    await ledgers[0]!.begin({ key: 'k2', capability: 'c', fingerprint: 'f', owner: 'o', now, leaseMs: 5_000, ttlMs: 60_000 });
    await ledgers[0]!.settle('k2', { state: 'succeeded', result: { records: [], n: { a: [1] } } }, now, 'o');
    expect((await ledgers[1]!.get('k2', now))!.result).toEqual({ records: [], n: { a: [1] } });
  });

  it('the three answers through the API with the Redis ledger shared by two instances', async () => {
    const url = `${server.url}?prefix=api:`;
    const a: DeliveryFixture = await deliveryFixture(deliveryConfig({ providers: [{ name: 'hook_a', sandbox: { latencyMs: 200 } }] }), {
      storeUrl: url,
    });
    const b: DeliveryFixture = await deliveryFixture(
      deliveryConfig({ providers: [{ name: 'hook_a', sandbox: { latencyMs: 200 } }], delivery: { inFlight: 'reject' } }),
      { storeUrl: url },
    );
    try {
      const first = post(a.app, hook(), { 'idempotency-key': 'shared-1' });
      await sleep(50);
      const inFlight = await post(b.app, hook(), { 'idempotency-key': 'shared-1' });
      expect(inFlight.statusCode).toBe(409);
      expect((await first).statusCode).toBe(200);
      const replay = await post(b.app, hook(), { 'idempotency-key': 'shared-1' });
      expect(replay.statusCode).toBe(200);
      expect(replay.json().replayed).toBe(true);
      expect(b.gateway.getSandbox('hook_a')!.calls).toBe(0);
      expect((await post(b.app, hook(9), { 'idempotency-key': 'shared-1' })).statusCode).toBe(422);
    } finally {
      await a.close();
      await b.close();
    }
  });

  it('a provider failing on one instance is demoted on the other within 1 s, and the hint expires', async () => {
    const a = await deliveryFixture(deliveryConfig({ providers: [{ name: 'hook_a' }] }));
    const b = await deliveryFixture(deliveryConfig({ providers: [{ name: 'hook_a' }, { name: 'hook_b' }] }));
    const ha = new HealthHints({ redis: conn(), prefix: 'hints:', maxHintMs: 800 });
    const hb = new HealthHints({ redis: conn(), prefix: 'hints:', maxHintMs: 800 });
    try {
      await ha.start();
      await hb.start();
      ha.attach(a.gateway.listProviderChains());
      hb.attach(b.gateway.listProviderChains());
      a.gateway.getSandbox('hook_a')!.setFailure('transient');
      for (let i = 0; i < 10; i++) await post(a.app, hook(i));
      expect(a.gateway.findProvider('hook_a')!.status().toJSON().breakerState).toBe('open');
      const seenAt = Date.now();
      while (b.gateway.findProvider('hook_a')!.unavailable(Date.now()) === null && Date.now() - seenAt < 1_000) await sleep(10);
      expect(b.gateway.findProvider('hook_a')!.unavailable(Date.now())).toMatchObject({ code: 'GW_COOLING_DOWN' });
      expect(Date.now() - seenAt).toBeLessThan(1_000);
      const res = await post(b.app, hook('b'));
      expect(res.json().provider).toBe('hook_b');
      expect(b.gateway.getSandbox('hook_a')!.calls).toBe(0);
      await sleep(900); // the hint is capped at maxHintMs
      expect(b.gateway.findProvider('hook_a')!.unavailable(Date.now())).toBeNull();
    } finally {
      await ha.stop();
      await hb.stop();
      await a.close();
      await b.close();
    }
  });

  it('a 5 requests/s quota holds across instances in every one-second window, none spent in its last 100 ms', async () => {
    const limiters = [0, 1, 2].map(() => new SharedRateLimiter({ redis: conn(), prefix: 'rl:', provider: 'hook_a', ratePerSecond: 5 }));
    const granted = new Map<number, number>();
    const end = Date.now() + 2_600;
    let atEdge = 0;
    while (Date.now() < end) {
      for (const l of limiters) {
        const now = Date.now();
        if (l.tryTake(now) !== 0) continue;
        granted.set(Math.floor(now / 1000), (granted.get(Math.floor(now / 1000)) ?? 0) + 1);
        if (now % 1000 >= 900) atEdge++;
      }
      await sleep(3);
    }
    const counts = [...granted.values()];
    expect(Math.max(...counts)).toBeLessThanOrEqual(5);
    expect(atEdge).toBe(0);
    // With tokens in hand, none is spent in the last 100 ms of their second (the call could arrive in the next).
    const roomy = new SharedRateLimiter({ redis: conn(), prefix: 'rl-edge:', provider: 'hook_a', ratePerSecond: 100 });
    const w = Math.floor(Date.now() / 1000);
    expect(roomy.tryTake(w * 1000 + 100)).toBeGreaterThan(0); // asks Redis for a batch
    await sleep(50);
    expect(roomy.tryTake(w * 1000 + 200)).toBe(0);
    expect(roomy.tryTake(w * 1000 + 992)).toBe(8);
    expect(roomy.tryTake(w * 1000 + 905)).toBe(95);
    expect(roomy.tryTake(w * 1000 + 899)).toBe(0);
    expect(counts.reduce((s, n) => s + n, 0)).toBeGreaterThanOrEqual(8);
  });

  it('one leader at a time; another takes over when it stops', async () => {
    const changes: string[] = [];
    const leases = ['i1', 'i2', 'i3'].map(
      (id) =>
        new LeaderLease({
          redis: conn(),
          prefix: 'lead:',
          name: 'self-check',
          ttlMs: 300,
          instanceId: id,
          onChange: (l) => changes.push(`${id}:${l}`),
        }),
    );
    for (const l of leases) l.start();
    for (let i = 0; i < 10; i++) {
      await sleep(60);
      expect(leases.filter((l) => l.isLeader).length).toBeLessThanOrEqual(1);
    }
    const leader = leases.find((l) => l.isLeader)!;
    expect(leader).toBeDefined();
    expect(await leader.holder()).toBe(leader.instanceId);
    await leader.stop();
    await sleep(250);
    const next = leases.filter((l) => l.isLeader);
    expect(next).toHaveLength(1);
    expect(next[0]).not.toBe(leader);
    for (const l of leases) await l.stop();
  });
});
