/**
 * `npm run bench:bulk`: a job through the whole gateway (HTTP API, SQLite store, outbox worker,
 * webhook adapter, real loopback HTTP) against two receivers that enforce hard limits (a fixed
 * one-second window) and answer 429 with Retry-After above them, 20 ms an answer.
 * (a) declared limits equal to the receivers' (LIMIT_A, LIMIT_B): delivered rate / sum of the
 *     limits, upstream 429s, items failed over, lost, duplicated;
 * (b) the same with no limit declared (learned from the 429s): rate / sum, share of calls 429;
 * (c) a job of ITEMS_C items submitted to one of two gateway instances on one Redis (BullMQ
 *     outbox, the declared limit shared through Redis), drained by both into one receiver: the
 *     most calls it saw in any one second;
 * (d) the peak RSS of this (the gateway's) process while a 100,000-item NDJSON job streams
 *     into the store from a client in another process.
 * The last line is `bulk: utilisation A, learned B, upstream-429 C, failed-over D, lost E,
 * duplicated F, rss-mb G`. BENCH_ITEMS, BENCH_LIMIT_A, BENCH_LIMIT_B, BENCH_STREAM_ITEMS, BENCH_ITEMS_C.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { spawn } from 'node:child_process';
import { createServer as createHttpServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { validateConfig } from '../src/config/load.js';
import type { GatewayConfigInput } from '../src/config/schema.js';
import { Gateway } from '../src/gateway.js';
import { createServer } from '../src/server/index.js';
import { redisSkipReason, startRedis } from '../test/harness/redis.js';
import { envCount } from './env.js';

const ITEMS = envCount('BENCH_ITEMS', 10_000);
const LIMIT_A = envCount('BENCH_LIMIT_A', 100);
const LIMIT_B = envCount('BENCH_LIMIT_B', 200);
const STREAM_ITEMS = envCount('BENCH_STREAM_ITEMS', 100_000);
const ITEMS_C = envCount('BENCH_ITEMS_C', 1_500);
const LATENCY_MS = 20;
const SECRET = `whsec_${randomBytes(24).toString('base64')}`;

/** A webhook receiver with a hard limit per calendar second (every arrival counts); counts deliveries by webhook-id. */
class Receiver {
  accepted = 0;
  throttled = 0;
  /** When the last delivery was accepted (epoch ms). */
  lastAt = 0;
  readonly deliveries = new Map<string, number>();
  readonly perSecond = new Map<number, number>();
  private server: Server | undefined;
  url = '';

  constructor(private readonly limit: number) {}

  async start(): Promise<void> {
    this.server = createHttpServer((req, res) => {
      const now = Date.now();
      const second = Math.floor(now / 1000);
      const seen = this.perSecond.get(second) ?? 0;
      const over = seen >= this.limit;
      this.perSecond.set(second, seen + 1);
      req.resume();
      req.on('end', () => {
        setTimeout(() => {
          if (over) {
            this.throttled++;
            res.writeHead(429, { 'retry-after': String(Math.max(1, Math.ceil((1000 - (now % 1000)) / 1000))) }).end();
            return;
          }
          this.accepted++;
          this.lastAt = Date.now();
          const id = String(req.headers['webhook-id']);
          this.deliveries.set(id, (this.deliveries.get(id) ?? 0) + 1);
          res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
        }, LATENCY_MS);
      });
    });
    await new Promise<void>((r) => this.server!.listen(0, '127.0.0.1', r));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/hook`;
  }

  maxPerSecond(): number {
    return Math.max(0, ...this.perSecond.values());
  }

  async stop(): Promise<void> {
    this.server?.closeAllConnections();
    await new Promise<void>((r) => this.server?.close(() => r()));
  }
}

function config(store: string, receivers: { name: string; url: string; ratePerSecond?: number }[]): GatewayConfigInput {
  return {
    mode: 'live',
    store,
    logLevel: 'silent',
    server: { rateLimitPerMinute: 100_000 },
    monitoring: { intervalSeconds: 0 },
    delivery: { outbox: { concurrency: 64, pollMs: 50 } },
    capabilities: {
      webhook_dispatch: {
        providers: receivers.map((r) => ({
          name: r.name,
          type: 'webhook',
          options: { url: r.url, secrets: SECRET, allowHttp: true, allowHosts: ['127.0.0.1'] },
          ...(r.ratePerSecond ? { limits: { ratePerSecond: r.ratePerSecond, burst: 1 } } : {}),
        })),
      },
    },
  };
}

async function openGateway(raw: GatewayConfigInput): Promise<{ gateway: Gateway; app: ReturnType<typeof createServer> }> {
  const gateway = await Gateway.create({ config: validateConfig(raw, {}).config, snapshotIntervalMs: 0 });
  const app = createServer(gateway, { periodicChecks: false });
  await app.ready();
  return { gateway, app };
}

interface JobFigures {
  utilisation: number;
  throttled: number;
  throttledShare: number;
  failedOver: number;
  lost: number;
  duplicated: number;
}

/** One job of ITEMS webhook items through two receivers; `declared` sets the gateway's limits to theirs. */
async function job(declared: boolean, dir: string): Promise<JobFigures> {
  const a = new Receiver(LIMIT_A);
  const b = new Receiver(LIMIT_B);
  await Promise.all([a.start(), b.start()]);
  const { gateway, app } = await openGateway(
    config(`sqlite:${join(dir, `${declared ? 'declared' : 'learned'}.db`)}`, [
      { name: 'receiver_a', url: a.url, ...(declared ? { ratePerSecond: LIMIT_A } : {}) },
      { name: 'receiver_b', url: b.url, ...(declared ? { ratePerSecond: LIMIT_B } : {}) },
    ]),
  );
  let failedOver = 0;
  gateway.getProviderChain('webhook_dispatch')!.onFailover(() => failedOver++);
  try {
    const items = Array.from({ length: ITEMS }, (_, i) => ({ event: 'contact.created', payload: { i } }));
    const res = await app.inject({ method: 'POST', url: '/v1/jobs', payload: { capability: 'webhook_dispatch', items } });
    if (res.statusCode !== 202) throw new Error(`job refused: ${res.statusCode} ${res.body}`);
    const id = res.json<{ job: { id: string } }>().job.id;
    // The server's worker drains from the moment the job is opened, just before this answer.
    const started = Date.now();
    let state = '';
    while (state !== 'completed') {
      await new Promise((r) => setTimeout(r, 1_000));
      state = (await gateway.jobs!.get(id))!.state;
    }
    // From the start of the worker to the last delivery the receivers accepted (status is polled once a second).
    const seconds = (Math.max(a.lastAt, b.lastAt) - started) / 1000;
    const delivered = a.accepted + b.accepted;
    let lost = 0;
    let duplicated = 0;
    for (let i = 0; i < ITEMS; i++) {
      const n = (a.deliveries.get(`${id}:${i}`) ?? 0) + (b.deliveries.get(`${id}:${i}`) ?? 0);
      if (n === 0) lost++;
      if (n > 1) duplicated += n - 1;
    }
    const throttled = a.throttled + b.throttled;
    console.log(
      `  ${declared ? 'declared' : 'learned '}: ${delivered} delivered in ${seconds.toFixed(1)} s (${(delivered / seconds).toFixed(1)}/s of ${LIMIT_A + LIMIT_B}/s; receiver_a ${a.accepted}, receiver_b ${b.accepted}), 429s ${throttled}, failed over ${failedOver}, lost ${lost}, duplicated ${duplicated}`,
    );
    return {
      utilisation: delivered / seconds / (LIMIT_A + LIMIT_B),
      throttled,
      throttledShare: throttled / (throttled + delivered),
      failedOver,
      lost,
      duplicated,
    };
  } finally {
    await app.close();
    await gateway.close();
    await Promise.all([a.stop(), b.stop()]);
  }
}

/** (c) A job of ITEMS_C items submitted to one of two instances on one Redis, drained by both under one shared declared limit. */
async function twoInstances(): Promise<string> {
  const skip = redisSkipReason();
  if (skip) return `not measured: ${skip}`;
  const redis = await startRedis();
  const receiver = new Receiver(LIMIT_A);
  await receiver.start();
  const raw = config(redis.url, [{ name: 'receiver', url: receiver.url, ratePerSecond: LIMIT_A }]);
  const instances = [await openGateway(raw), await openGateway(raw)];
  const byInstance = instances.map(({ gateway }) => {
    const n = { succeeded: 0 };
    gateway.getProviderChain('webhook_dispatch')!.onAttempt((e) => void (e.outcome === 'success' && n.succeeded++));
    return n;
  });
  try {
    const items = Array.from({ length: ITEMS_C }, (_, i) => ({ event: 'contact.created', payload: { i } }));
    const res = await instances[0]!.app.inject({ method: 'POST', url: '/v1/jobs', payload: { capability: 'webhook_dispatch', items } });
    if (res.statusCode !== 202) throw new Error(`job refused: ${res.statusCode} ${res.body}`);
    const id = res.json<{ job: { id: string } }>().job.id;
    const deadline = Date.now() + 120_000;
    let state = '';
    while (state !== 'completed' && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 200));
      state = (await instances[1]!.gateway.jobs!.get(id))!.state;
    }
    return `job of ${ITEMS_C} ${state}: ${receiver.accepted} delivered (instances ${byInstance.map((n) => n.succeeded).join(' + ')}), most calls in any one second ${receiver.maxPerSecond()} (shared limit ${LIMIT_A}/s), 429s ${receiver.throttled}`;
  } finally {
    for (const { app, gateway } of instances) {
      await app.close();
      await gateway.close();
    }
    await receiver.stop();
    await redis.close();
  }
}

/** The NDJSON caller of (d): writes ITEMS lines to PORT as fast as the socket takes them, prints the status. */
const STREAM_CLIENT = `
const http = require('node:http');
const items = Number(process.env.ITEMS);
const req = http.request(
  { host: '127.0.0.1', port: Number(process.env.PORT), method: 'POST', path: '/v1/jobs?capability=webhook_dispatch',
    headers: { 'content-type': 'application/x-ndjson' } },
  (res) => { res.resume(); res.on('end', () => console.log(res.statusCode)); },
);
req.on('error', (e) => { console.error(e.message); process.exit(1); });
let i = 0;
const write = () => {
  while (i < items) {
    const line = JSON.stringify({ event: 'contact.created', payload: { i, email: 'person' + i + '@example.com' } }) + '\\n';
    i++;
    if (!req.write(line)) return void req.once('drain', write);
  }
  req.end();
};
write();
`;

/** (d) Peak RSS of this (the gateway's) process while STREAM_ITEMS NDJSON lines stream through a real socket into the store. */
async function streamRss(dir: string): Promise<number> {
  const { gateway, app } = await openGateway(
    config(`sqlite:${join(dir, 'stream.db')}`, [{ name: 'receiver', url: 'http://127.0.0.1:9/hook' }]),
  );
  // Only the acceptance is measured: the provider is isolated, so the worker sends nothing.
  for (const p of gateway.getProviderChain('webhook_dispatch')!.providers) p.isolate();
  await app.listen({ host: '127.0.0.1', port: 0 });
  const port = (app.server.address() as AddressInfo).port;
  const before = process.memoryUsage().rss;
  let peak = before;
  const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 20);
  try {
    // The caller is another process, as it would be: this process's RSS is the gateway's alone.
    const client = spawn(process.execPath, ['-e', STREAM_CLIENT], {
      env: { ...process.env, PORT: String(port), ITEMS: String(STREAM_ITEMS) },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let out = '';
    client.stdout.on('data', (d: Buffer) => (out += d.toString()));
    await new Promise<void>((resolve, reject) => {
      client.on('error', reject);
      client.on('exit', () => resolve());
    });
    const status = Number(out.trim());
    if (status !== 202) throw new Error(`stream refused: ${status}`);
    const jobs = await gateway.jobs!.list(1);
    console.log(
      `  stream: ${jobs[0]?.items ?? 0} items stored, RSS ${(before / 1e6).toFixed(0)} MB before, peak ${(peak / 1e6).toFixed(0)} MB`,
    );
    return peak / 1e6;
  } finally {
    clearInterval(sampler);
    await app.close();
    await gateway.close();
  }
}

const dir = mkdtempSync(join(tmpdir(), 'aicmo-bench-bulk-'));
try {
  console.log(`bulk bench: ${ITEMS} items, receivers limited to ${LIMIT_A}/s and ${LIMIT_B}/s (429 above), ${LATENCY_MS} ms an answer`);
  const rss = await streamRss(dir);
  console.log(`(d) peak RSS streaming ${STREAM_ITEMS} items: ${rss.toFixed(0)} MB (target < 250)`);
  const declared = await job(true, dir);
  console.log(
    `(a) declared: utilisation ${declared.utilisation.toFixed(2)} (target >= 0.95), upstream 429 ${declared.throttled} (target 0), failed over ${declared.failedOver} (0), lost ${declared.lost}, duplicated ${declared.duplicated}`,
  );
  const learned = await job(false, dir);
  console.log(
    `(b) learned: utilisation ${learned.utilisation.toFixed(2)} (target >= 0.85), calls answered 429 ${(100 * learned.throttledShare).toFixed(2)}% (target <= 2%)`,
  );
  console.log(`(c) ${await twoInstances()}`);
  console.log(
    `bulk: utilisation ${declared.utilisation.toFixed(2)}, learned ${learned.utilisation.toFixed(2)}, upstream-429 ${declared.throttled}, failed-over ${declared.failedOver}, lost ${declared.lost + learned.lost}, duplicated ${declared.duplicated + learned.duplicated}, rss-mb ${rss.toFixed(0)}`,
  );
} finally {
  rmSync(dir, { recursive: true, force: true });
}
