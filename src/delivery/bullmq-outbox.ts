/**
 * The outbox on BullMQ over the store's Redis. The job is the delivery record: its id is the
 * delivery id (derived from the idempotency key, so one key never makes two jobs) and its data
 * is the record, kept current by the worker. An enqueue is one BullMQ `add` (acknowledged by
 * Redis before `202`); BullMQ does the scheduling, the delayed retries, the per-job lock (one
 * delivery, one worker) and keeps dead letters in its failed set (the record says dead, failed
 * or unknown_outcome). Delivered jobs are kept for the idempotency TTL.
 */
import { createHash } from 'node:crypto';
import { Queue, type Job, type JobType, type RedisOptions as BullRedisOptions } from 'bullmq';
import type { Redis } from 'ioredis';
import type { RedisTarget } from '../store/redis/redis-connection.js';
import type { RedisLedger } from './redis-ledger.js';
import {
  DELIVERY_STATES,
  FINISHED_STATES,
  emptyCounts,
  newDeliveryRecord,
  type DeliveryQuery,
  type DeliveryRecord,
  type DeliveryState,
  type EnqueueInput,
  type Outbox,
  type PurgeQuery,
} from './outbox.js';

export const OUTBOX_QUEUE = 'outbox';
const JOB_NAME = 'deliver';

/** The record as job data, with the worker's in-call marker. */
export type JobRecord = DeliveryRecord & { calling?: string };

const TYPES_BY_STATE: Record<DeliveryState, JobType[]> = {
  pending: ['waiting', 'delayed', 'prioritized', 'waiting-children'],
  in_progress: ['active'],
  delivered: ['completed', 'failed'],
  failed: ['failed'],
  dead: ['failed'],
  unknown_outcome: ['failed'],
  cancelled: ['failed'],
  duplicate: ['failed'],
};
const ALL_TYPES: JobType[] = ['waiting', 'delayed', 'prioritized', 'waiting-children', 'active', 'completed', 'failed'];

export function bullPrefix(target: RedisTarget): string {
  return `${target.prefix}bull`;
}

/** BullMQ's own connection options for the store's Redis (it opens its own connections). */
export function bullConnection(target: RedisTarget): BullRedisOptions {
  const o = target.options;
  const out: BullRedisOptions = { host: o.host ?? '127.0.0.1', port: o.port ?? 6379, db: o.db ?? 0, maxRetriesPerRequest: null };
  if (o.username) out.username = o.username;
  if (o.password) out.password = o.password;
  if (o.tls) out.tls = o.tls;
  return out;
}

export function deliveryIdFor(idempotencyKey: string): string {
  return `dlv_${createHash('sha256').update(idempotencyKey).digest('hex').slice(0, 32)}`;
}

export class BullmqOutbox implements Outbox {
  readonly kind = 'bullmq';
  readonly queue: Queue;

  constructor(
    readonly redis: Redis,
    readonly target: RedisTarget,
    private readonly ledger: RedisLedger,
    /** How long delivered records are kept (the idempotency TTL). */
    readonly keepMs = 24 * 3_600_000,
  ) {
    this.queue = new Queue(OUTBOX_QUEUE, { connection: bullConnection(target), prefix: bullPrefix(target) });
    this.queue.on('error', () => undefined);
  }

  async enqueue(i: EnqueueInput): Promise<DeliveryRecord> {
    const id = deliveryIdFor(i.idempotencyKey);
    const rec = newDeliveryRecord(id, i);
    await this.queue.add(JOB_NAME, rec, {
      jobId: id,
      removeOnComplete: { age: Math.ceil(this.keepMs / 1000) },
      removeOnFail: { age: Math.ceil((this.keepMs * 7) / 1000) },
    });
    return rec;
  }

  async job(id: string): Promise<Job<JobRecord> | undefined> {
    return ((await this.queue.getJob(id)) as Job<JobRecord> | undefined) ?? undefined;
  }

  async get(id: string): Promise<DeliveryRecord | undefined> {
    const job = await this.job(id);
    return job ? strip(job.data) : undefined;
  }

  async findByKey(key: string): Promise<DeliveryRecord | undefined> {
    return this.get(deliveryIdFor(key));
  }

  /** Marks (or clears) that a provider call is running for this delivery (test hook and worker). */
  async setCalling(id: string, owner: string | null): Promise<void> {
    const job = await this.job(id);
    if (!job) return;
    const data: JobRecord = { ...job.data };
    if (owner === null) delete data.calling;
    else data.calling = owner;
    await job.updateData(data);
  }

  async list(q: DeliveryQuery = {}): Promise<DeliveryRecord[]> {
    const limit = q.limit ?? 100;
    const jobs = (await this.queue.getJobs(q.state ? TYPES_BY_STATE[q.state] : ALL_TYPES, 0, -1)) as (Job<JobRecord> | undefined)[];
    return jobs
      .filter((j): j is Job<JobRecord> => j !== undefined && j.data !== undefined)
      .map((j) => strip(j.data))
      .filter((r) => (q.state === undefined || r.state === q.state) && (q.capability === undefined || r.capability === q.capability))
      .sort((a, b) => b.createdAt - a.createdAt)
      .slice(0, limit);
  }

  async counts(): Promise<Record<DeliveryState, number>> {
    const c = await this.queue.getJobCounts('waiting', 'delayed', 'prioritized', 'active', 'completed');
    const out = emptyCounts();
    out.pending = (c.waiting ?? 0) + (c.delayed ?? 0) + (c.prioritized ?? 0);
    out.in_progress = c.active ?? 0;
    out.delivered = c.completed ?? 0;
    for (const j of (await this.queue.getJobs(['failed'], 0, -1)) as (Job<JobRecord> | undefined)[]) {
      const s = j?.data?.state;
      if (s && (DELIVERY_STATES as readonly string[]).includes(s) && s !== 'pending' && s !== 'in_progress') out[s]++;
    }
    return out;
  }

  async backlog(): Promise<Record<string, number>> {
    const out: Record<string, number> = {};
    for (const j of (await this.queue.getJobs(['waiting', 'delayed', 'prioritized', 'active'], 0, -1)) as (Job<JobRecord> | undefined)[]) {
      const capability = j?.data?.capability;
      if (capability) out[capability] = (out[capability] ?? 0) + 1;
    }
    return out;
  }

  async retry(id: string, now: number): Promise<DeliveryRecord | undefined> {
    const job = await this.job(id);
    if (!job) return undefined;
    const rec = strip(job.data);
    if (rec.state === 'delivered' || rec.state === 'in_progress') return rec;
    const next: DeliveryRecord = { ...rec, state: 'pending', attempts: 0, createdAt: now, updatedAt: now, nextAttemptAt: now };
    await job.updateData(next);
    const state = await job.getState();
    if (state === 'failed') await job.retry('failed');
    else if (state === 'delayed') await job.promote();
    await this.ledger.settle(rec.idempotencyKey, { state: 'queued', deliveryId: id }, now);
    return next;
  }

  async resolve(id: string, delivered: boolean, now: number): Promise<DeliveryRecord | undefined> {
    if (!delivered) return this.retry(id, now);
    const job = await this.job(id);
    if (!job) return undefined;
    const rec = strip(job.data);
    if (rec.state === 'in_progress' || rec.state === 'pending') return rec;
    const next: DeliveryRecord = { ...rec, state: 'delivered', updatedAt: now, nextAttemptAt: null };
    await job.updateData(next);
    await this.ledger.settle(rec.idempotencyKey, { state: 'succeeded', result: null, resolvedBy: 'operator', deliveryId: id }, now);
    return next;
  }

  async purge(q: PurgeQuery): Promise<number> {
    const states = q.states ?? FINISHED_STATES;
    const candidates = q.id !== undefined ? [await this.get(q.id)] : await this.list({ limit: Number.MAX_SAFE_INTEGER });
    let n = 0;
    for (const r of candidates) {
      if (!r || !states.includes(r.state) || (q.olderThan !== undefined && r.updatedAt >= q.olderThan)) continue;
      const entry = await this.ledger.get(r.idempotencyKey, Date.now());
      if (entry?.state === 'queued' || entry?.state === 'in_flight') await this.ledger.release(r.idempotencyKey);
      await (await this.job(r.id))?.remove();
      n++;
    }
    return n;
  }

  async close(): Promise<void> {
    await this.queue.close();
  }
}

function strip(data: JobRecord): DeliveryRecord {
  const { calling: _calling, ...rec } = data;
  return rec;
}
