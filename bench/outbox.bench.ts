/**
 * `npm run bench:outbox`: durable enqueues per second and p99 enqueue latency of the outbox on
 * SQLite (WAL, synchronous=FULL, group commit) and on Redis/BullMQ, side by side with their
 * baselines: a plain INSERT loop on the same database settings and a plain BullMQ `add` loop.
 * Enqueues run with CONCURRENCY callers in flight, as HTTP requests would.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Queue } from 'bullmq';
import { BullmqOutbox, bullConnection } from '../src/delivery/bullmq-outbox.js';
import { openDeliveryDb } from '../src/delivery/delivery-db.js';
import { RedisLedger } from '../src/delivery/redis-ledger.js';
import { SqliteLedger } from '../src/delivery/sqlite-ledger.js';
import { SqliteOutbox } from '../src/delivery/sqlite-outbox.js';
import { openRedis, parseRedisUrl } from '../src/store/redis/redis-connection.js';
import { startRedis } from '../test/harness/redis.js';
import { envCount } from './env.js';

const N = envCount('BENCH_N', 20_000);
const CONCURRENCY = envCount('BENCH_CONCURRENCY', 64);
const request = { event: 'contact.created', payload: { id: 42, email: 'someone@example.com', tags: ['a', 'b'] } };

interface Result {
  name: string;
  perSecond: number;
  p99Ms: number;
}

async function measure(name: string, op: (i: number) => unknown, concurrency = CONCURRENCY): Promise<Result> {
  const latencies = new Float64Array(N);
  let next = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < N) {
        const i = next++;
        const t = performance.now();
        await op(i);
        latencies[i] = performance.now() - t;
      }
    }),
  );
  const elapsed = (performance.now() - started) / 1000;
  const sorted = Array.from(latencies).sort((a, b) => a - b);
  return { name, perSecond: N / elapsed, p99Ms: sorted[Math.floor(N * 0.99)]! };
}

function print(r: Result, baseline?: Result): void {
  const ratio = baseline ? `  ${((100 * r.perSecond) / baseline.perSecond).toFixed(0)}% of ${baseline.name}` : '';
  console.log(`${r.name.padEnd(34)} ${r.perSecond.toFixed(0).padStart(8)} /s   p99 ${r.p99Ms.toFixed(2).padStart(7)} ms${ratio}`);
}

const dir = mkdtempSync(join(tmpdir(), 'aicmo-bench-outbox-'));
try {
  console.log(`outbox bench: ${N} enqueues, ${CONCURRENCY} in flight\n`);
  // SQLite baseline: one INSERT per transaction, same pragmas (WAL, synchronous=FULL).
  const plainDb = openDeliveryDb(join(dir, 'plain.db'));
  const insert = plainDb.prepare(
    "INSERT INTO outbox (id, idempotency_key, capability, state, created_at, updated_at, next_at, request) VALUES (?, ?, 'webhook_dispatch', 'pending', ?, ?, ?, ?)",
  );
  const plain = await measure(
    'sqlite plain INSERT loop',
    (i) => {
      const now = Date.now();
      insert.run(`p${i}`, `k${i}`, now, now, now, JSON.stringify(request));
    },
    1,
  );
  plainDb.close();
  // SQLite outbox: group commit, ledger row updated in the same transaction.
  const db = openDeliveryDb(join(dir, 'outbox.db'));
  const ledger = new SqliteLedger(db);
  const outbox = new SqliteOutbox(db, ledger);
  const t0 = Date.now();
  for (let i = 0; i < N; i++)
    await ledger.begin({
      key: `k${i}`,
      capability: 'webhook_dispatch',
      fingerprint: 'f',
      owner: 'bench',
      now: t0,
      leaseMs: 60_000,
      ttlMs: 3_600_000,
    });
  const sqlite = await measure('sqlite outbox enqueue (durable)', (i) =>
    outbox.enqueue({ idempotencyKey: `k${i}`, capability: 'webhook_dispatch', request, now: Date.now() }),
  );
  await outbox.close();
  db.close();
  print(plain);
  print(sqlite, plain);

  const server = await startRedis();
  try {
    const target = parseRedisUrl(`${server.url}?prefix=bench:`);
    const queue = new Queue('plain', { connection: bullConnection(target), prefix: 'plainbull' });
    // The same job payload as the outbox's (the delivery record with the request), default options.
    const record = (i: number) => ({
      id: `p${i}`,
      idempotencyKey: `pk${i}`,
      capability: 'webhook_dispatch',
      state: 'pending',
      attempts: 0,
      createdAt: Date.now(),
      updatedAt: Date.now(),
      nextAttemptAt: Date.now(),
      request,
    });
    const bull = await measure('bullmq plain add loop', (i) => queue.add('deliver', record(i), { jobId: `p${i}` }));
    await queue.close();
    const redis = openRedis(target, 'bench');
    const rl = new RedisLedger(redis, target.prefix);
    const bq = new BullmqOutbox(redis, target, rl);
    const t1 = Date.now();
    await Promise.all(
      Array.from({ length: N }, (_, i) =>
        rl.begin({
          key: `k${i}`,
          capability: 'webhook_dispatch',
          fingerprint: 'f',
          owner: 'bench',
          now: t1,
          leaseMs: 60_000,
          ttlMs: 3_600_000,
        }),
      ),
    );
    const redisOutbox = await measure('redis outbox enqueue (BullMQ)', (i) =>
      bq.enqueue({ idempotencyKey: `k${i}`, capability: 'webhook_dispatch', request, now: Date.now() }),
    );
    await bq.close();
    redis.disconnect();
    print(bull);
    print(redisOutbox, bull);
    console.log(
      `\ntargets: sqlite >= 5000/s (${sqlite.perSecond >= 5000 ? 'met' : 'NOT met'}), redis >= 10000/s (${redisOutbox.perSecond >= 10_000 ? 'met' : 'NOT met'}), each >= 80% of its baseline (sqlite ${sqlite.perSecond >= 0.8 * plain.perSecond ? 'met' : 'NOT met'}, redis ${redisOutbox.perSecond >= 0.8 * bull.perSecond ? 'met' : 'NOT met'})`,
    );
  } finally {
    await server.close();
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
