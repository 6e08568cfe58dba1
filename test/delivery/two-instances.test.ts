/**
 * Two gateway instances on one Redis with three sandbox providers under injected failures
 * (error bursts, hangs, rate limits, a full outage of the primary): a bounded run ends with
 * zero lost and zero duplicated deliveries, the primary's shared 5 requests/s never exceeded
 * in any second, and one leader running the self-checks.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { validateConfig } from '../../src/config/load.js';
import { isGatewayError } from '../../src/core/errors.js';
import type { BullmqOutbox } from '../../src/delivery/bullmq-outbox.js';
import type { Submission } from '../../src/delivery/delivery-service.js';
import { redisSkipReason, startRedis, type RedisServer } from '../harness/redis.js';
import { startInstance, type Instance } from './redis-instance.js';

const REQUESTS = Number(process.env.TWO_INSTANCE_REQUESTS ?? 20_000);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

const config = validateConfig(
  {
    mode: 'dry_run',
    store: 'memory:',
    logLevel: 'silent',
    monitoring: { intervalSeconds: 0 },
    delivery: { inFlight: 'wait', outbox: { baseDelayMs: 50, maxDelayMs: 400, leaseMs: 2_000, pollMs: 50 } },
    capabilities: {
      webhook_dispatch: {
        deadlineMs: 1_000,
        // The subject is load spread over three providers and two instances: overflow fails over
        // (with `wait`, 20,000 requests would queue for hook_a's shared 5/s).
        overflow: 'failover',
        retry: { maxAttemptsPerProvider: 1 },
        breaker: { openMs: 500, maxOpenMs: 1_000 },
        providers: [
          {
            name: 'hook_a',
            type: 'webhook',
            sandbox: { latencyMs: { min: 0, max: 3 }, errorRate: { transient: 0.1 }, outages: [{ afterSec: 1.5, durationSec: 1.5 }] },
          },
          {
            name: 'hook_b',
            type: 'webhook',
            limits: { attemptTimeoutMs: 100 },
            sandbox: { latencyMs: { min: 0, max: 3 }, errorRate: { transient: 0.2, rate_limited: 0.02 }, hangRate: 0.003 },
          },
          {
            name: 'hook_c',
            type: 'webhook',
            sandbox: {
              latencyMs: { min: 0, max: 3 },
              errorRate: { transient: 0.15 },
              outages: [{ afterSec: 0.5, durationSec: 0.3, everySec: 2 }],
            },
          },
        ],
      },
    },
  },
  {},
).config;

describe.skipIf(redisSkipReason())('two instances on one Redis', () => {
  let server: RedisServer;
  const instances: Instance[] = [];
  beforeAll(async () => {
    server = await startRedis();
  });
  afterAll(async () => {
    for (const i of instances) await i.close().catch(() => undefined);
    await server?.close();
  });

  it(`${REQUESTS} requests: zero lost, zero duplicated, shared rate limit held, one leader`, { timeout: 150_000 }, async () => {
    const calls: { provider: string; at: number }[] = [];
    const delivered = new Map<string, number>();
    const selfChecks: { instance: string; at: number }[] = [];
    const hooks = {
      onCall: (provider: string, at: number) => calls.push({ provider, at }),
      onDeliver: (r: { idempotencyKey: string }) => delivered.set(r.idempotencyKey, (delivered.get(r.idempotencyKey) ?? 0) + 1),
      onSelfCheck: (instance: string, at: number) => selfChecks.push({ instance, at }),
    };
    const url = `${server.url}?prefix=two:`;
    instances.push(
      await startInstance('gw-1', url, config, { hook_a: 5 }, hooks),
      await startInstance('gw-2', url, config, { hook_a: 5 }, hooks),
    );
    const leaderSamples: number[] = [];
    const sampler = setInterval(() => leaderSamples.push(instances.filter((i) => i.lease.isLeader).length), 50);

    type Answer = { kind: 'completed' | 'accepted' | 'error'; code?: string };
    const answers = new Map<string, Answer[]>();
    const submit = async (inst: Instance, key: string, n: number): Promise<void> => {
      let answer: Answer;
      try {
        const s: Submission = await inst.stack.service.submit(
          'webhook_dispatch',
          { event: 'two.instances', payload: { n } },
          { idempotencyKey: key },
        );
        answer = { kind: s.status };
      } catch (error) {
        answer = { kind: 'error', code: isGatewayError(error) ? error.code : 'unexpected' };
      }
      answers.set(key, [...(answers.get(key) ?? []), answer]);
    };
    let next = 0;
    const worker = async (w: number): Promise<void> => {
      while (next < REQUESTS) {
        const n = next++;
        const key = `two-${n}`;
        const inst = instances[w % 2]!;
        // Every 20th request is sent to both instances at once (a client retrying elsewhere).
        if (n % 20 === 0) await Promise.all([submit(inst, key, n), submit(instances[(w + 1) % 2]!, key, n)]);
        else await submit(inst, key, n);
      }
    };
    const started = Date.now();
    await Promise.all(Array.from({ length: 24 }, (_, w) => worker(w)));
    const loadMs = Date.now() - started;

    // Drain the outbox.
    const outbox = instances[0]!.stack.service.outbox as BullmqOutbox;
    const deadline = Date.now() + 60_000;
    for (;;) {
      const c = await outbox.counts();
      if (c.pending === 0 && c.in_progress === 0) break;
      if (Date.now() > deadline) throw new Error(`outbox did not drain: ${JSON.stringify(c)}`);
      await sleep(100);
    }
    clearInterval(sampler);

    const unknown = new Set(
      (await instances[0]!.stack.service.ledger.list({ state: 'unknown_outcome', limit: 100_000 }, Date.now())).map((e) => e.key),
    );
    const problems: string[] = [];
    let completed = 0;
    let accepted = 0;
    for (const [key, n] of delivered) if (n > 1) problems.push(`${key} delivered ${n} times`);
    for (const [key, list] of answers) {
      const n = delivered.get(key) ?? 0;
      const ok = list.some((a) => a.kind === 'completed' || a.kind === 'accepted');
      if (list.some((a) => a.kind === 'completed')) completed++;
      else if (list.some((a) => a.kind === 'accepted')) accepted++;
      if (unknown.has(key)) continue; // reported: delivered at most once (checked above)
      if (ok && n !== 1) problems.push(`${key}: ${list.map((a) => a.kind).join('/')} but delivered ${n} times`);
      if (!ok && n !== 0) problems.push(`${key}: ${list.map((a) => a.code).join('/')} but delivered ${n} times`);
    }
    for (const key of delivered.keys()) if (!answers.has(key)) problems.push(`${key} delivered but never sent`);
    const perSecond = new Map<number, number>();
    for (const c of calls)
      if (c.provider === 'hook_a') perSecond.set(Math.floor(c.at / 1000), (perSecond.get(Math.floor(c.at / 1000)) ?? 0) + 1);
    const leaders = new Set(selfChecks.map((s) => s.instance));
    const hintsReceived = instances.reduce((s, i) => s + i.hints.received.length, 0);
    console.log(
      `two instances: ${answers.size} keys in ${loadMs} ms, ${completed} completed, ${accepted} accepted (outbox), ${unknown.size} unknown_outcome, ` +
        `${delivered.size} delivered; hook_a calls/s max ${Math.max(0, ...perSecond.values())}; hints applied ${hintsReceived}; self-checks ${selfChecks.length} by ${[...leaders].join(',')}`,
    );
    expect(problems).toEqual([]);
    expect(answers.size).toBe(REQUESTS);
    expect(completed + accepted + unknown.size).toBeGreaterThanOrEqual(REQUESTS * 0.95);
    expect(Math.max(0, ...perSecond.values())).toBeLessThanOrEqual(5);
    expect(Math.max(...leaderSamples)).toBe(1);
    expect(leaders.size).toBe(1);
    expect(selfChecks.length).toBeGreaterThan(3);
  });
});
