/**
 * A job killed with SIGKILL mid-run, twice, and resumed by a restarted gateway: every item
 * reaches the receiver and is applied exactly once. The receiver is a Standard Webhooks
 * receiver in this (surviving) process that applies a webhook-id once; the gateway resends an
 * item whose worker died mid-call (the webhook provider deduplicates by webhook-id), so the
 * raw arrivals may repeat an id in flight at a kill, never more. On the SQLite store and on
 * Redis (the BullMQ outbox, which takes over the killed worker's items when their lock lapses).
 */
import type { ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { killHard as kill, startGatewayChild } from '../harness/gateway-child.js';
import { redisSkipReason, startRedis, type RedisServer } from '../harness/redis.js';

const CHILD = join(import.meta.dirname, 'job-child.ts');
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const ITEMS = 600;

describe.each([
  { store: 'sqlite', skip: undefined },
  { store: 'redis', skip: redisSkipReason() },
])('job crash test: SIGKILL mid-job ($store store)', ({ store, skip }) => {
  const dir = mkdtempSync(join(tmpdir(), 'aicmo-job-crash-'));
  let proc: ChildProcess | undefined;
  let receiver: Server | undefined;
  let redis: RedisServer | undefined;
  afterAll(async () => {
    if (proc) await kill(proc);
    receiver?.closeAllConnections();
    await new Promise<void>((r) => (receiver ? receiver.close(() => r()) : r()));
    await redis?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it.skipIf(skip)('resumes after two kills and applies every item exactly once', { timeout: 120_000 }, async () => {
    if (store === 'redis') redis = await startRedis();
    const applied = new Map<string, number>(); // arrivals by webhook-id: the receiver applies an id once
    let arrivals = 0;
    receiver = createServer((req, res) => {
      req.resume();
      req.on('end', () => {
        arrivals++;
        const id = String(req.headers['webhook-id']);
        setTimeout(() => {
          applied.set(id, (applied.get(id) ?? 0) + 1);
          res.writeHead(200).end();
        }, 5);
      });
    });
    await new Promise<void>((r) => receiver!.listen(0, '127.0.0.1', r));
    const env = {
      CRASH_DIR: dir,
      CRASH_RECEIVER: `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hook`,
      CRASH_SECRET: `whsec_${randomBytes(24).toString('base64')}`,
      ...(redis ? { CRASH_STORE: redis.url } : {}),
    };
    let child = await startGatewayChild(CHILD, env);
    proc = child.proc;
    const items = Array.from({ length: ITEMS }, (_, i) => ({ event: 'contact.created', payload: { i } }));
    const res = await fetch(`http://127.0.0.1:${child.port}/v1/jobs`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ capability: 'webhook_dispatch', items }),
    });
    expect(res.status).toBe(202);
    const id = ((await res.json()) as { job: { id: string } }).job.id;
    const seenAtKill: number[] = [];
    for (let k = 0; k < 2; k++) {
      const before = applied.size;
      while (applied.size < before + 120) await sleep(10);
      seenAtKill.push(applied.size);
      await kill(child.proc);
      child = await startGatewayChild(CHILD, env);
      proc = child.proc;
    }
    let job: { state: string; counts: Record<string, number> } | undefined;
    const until = Date.now() + 60_000;
    while (Date.now() < until) {
      job = ((await (await fetch(`http://127.0.0.1:${child.port}/v1/jobs/${id}`)).json()) as { job: typeof job }).job;
      if (job!.state === 'completed') break;
      await sleep(100);
    }
    expect(job!.state).toBe('completed');
    expect(job!.counts).toMatchObject({ delivered: ITEMS, pending: 0, in_progress: 0, unknown_outcome: 0, failed: 0, dead: 0 });
    const missing = items.map((_, i) => `${id}:${i}`).filter((key) => !applied.has(key));
    expect(missing).toEqual([]);
    expect(applied.size).toBe(ITEMS);
    // Repeated ids are items in flight at a kill (at most the lane concurrency, 8, per kill).
    const repeats = arrivals - ITEMS;
    console.log(
      `job crash test (${store}): ${ITEMS} items, kills after ${seenAtKill.join(' and ')} applied, ${repeats} resent after a kill`,
    );
    expect(repeats).toBeLessThanOrEqual(2 * 8);
  });
});
