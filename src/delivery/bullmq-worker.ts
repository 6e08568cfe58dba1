/**
 * The outbox worker on BullMQ: up to `concurrency` jobs in flight per capability on each
 * instance (BullMQ's worker concurrency covers every capability; a job of a capability whose
 * lane is full waits `pollMs` as a delayed job, so one capability whose provider hangs cannot
 * take the slots of another). BullMQ's lock (= the lease, `leaseMs`) keeps a delivery with one
 * worker, and a stalled job (its worker died) is taken over by another. Retries and waits for a usable provider are delayed jobs (backoff with
 * jitter, never sooner than a provider's reset); dead, failed and unknown deliveries end in
 * BullMQ's failed set (the dead-letter queue) and their record says which.
 *
 * Job items (./redis-jobs.ts) are fed into the queue by the job store; every instance feeds the
 * running jobs once a second, and after each item that ends. A fed item of a paused job waits
 * (re-checked every second); one of a cancelled job ends as `cancelled` and frees its key.
 */
import { randomUUID } from 'node:crypto';
import { DelayedError, UnrecoverableError, Worker, type Job } from 'bullmq';
import type { Clock, TimerHandle } from '../core/clock.js';
import { toGatewayError } from '../core/errors.js';
import type { ChainRegistry } from '../core/registry.js';
import { silentLogger, type Logger } from '../core/logger.js';
import { retryDelay } from './backoff.js';
import { bullConnection, bullPrefix, OUTBOX_QUEUE, type BullmqOutbox, type JobRecord } from './bullmq-outbox.js';
import { recommendDeadLetter, recommendUnknownOutcome, type RecommendationSink } from './dead-letter.js';
import { deliveryError, mayHaveLanded } from './delivery-errors.js';
import type { RedisJobs } from './redis-jobs.js';
import type { RedisLedger } from './redis-ledger.js';
import type { DeliveryError, DeliveryRecord } from './outbox.js';
import type { OutboxPolicy } from './outbox-worker.js';

export interface BullmqWorkerOptions {
  outbox: BullmqOutbox;
  ledger: RedisLedger;
  chains: ChainRegistry;
  clock: Clock;
  policy: OutboxPolicy;
  recommendations?: RecommendationSink;
  logger?: Logger;
  random?: () => number;
  /** The job store whose items this worker delivers. */
  jobs?: RedisJobs;
}

/** How often a paused job's fed items look again, and the running jobs are fed. */
const JOB_CHECK_MS = 1_000;

export class BullmqOutboxWorker {
  readonly owner = `bull-${randomUUID()}`;
  private worker: Worker | null = null;
  private feeder: TimerHandle | undefined;
  private readonly logger: Logger;
  /** Jobs in flight on this instance, by capability (the lanes). */
  private readonly inFlight = new Map<string, number>();
  private readonly perCapability: number;

  constructor(private readonly o: BullmqWorkerOptions) {
    this.logger = o.logger ?? silentLogger;
    this.perCapability = Math.max(1, o.policy.concurrency ?? 16);
  }

  start(): void {
    if (this.worker) return;
    const { outbox, policy } = this.o;
    this.worker = new Worker<JobRecord>(OUTBOX_QUEUE, (job, token) => this.process(job, token), {
      connection: bullConnection(outbox.target),
      prefix: bullPrefix(outbox.target),
      concurrency: this.perCapability * Math.max(1, this.o.chains.listProviderChains().length),
      lockDuration: policy.leaseMs,
      stalledInterval: Math.max(1_000, Math.floor(policy.leaseMs / 2)),
      maxStalledCount: 1_000_000,
      drainDelay: Math.max(1, Math.ceil(policy.pollMs / 1000)),
    });
    this.worker.on('error', (e) => this.logger.warn({ err: e.message }, 'outbox worker connection error'));
    if (this.o.jobs) this.feedJobs(this.o.jobs);
  }

  /** Feeds the running jobs now and every JOB_CHECK_MS while the worker runs. */
  private feedJobs(jobs: RedisJobs): void {
    jobs
      .feedRunning()
      .catch((e: unknown) => this.logger.warn({ err: e instanceof Error ? e.message : String(e) }, 'job feed failed'))
      .finally(() => {
        if (this.worker) this.feeder = this.o.clock.setTimeout(() => this.feedJobs(jobs), JOB_CHECK_MS);
      });
  }

  async stop(): Promise<void> {
    this.feeder?.cancel();
    const w = this.worker;
    this.worker = null;
    await w?.close();
  }

  /** One job, counted in its capability's lane; a full lane sends the job back to wait pollMs. */
  private async process(job: Job<JobRecord>, token: string | undefined): Promise<unknown> {
    const capability = job.data.capability;
    const busy = this.inFlight.get(capability) ?? 0;
    if (busy >= this.perCapability) {
      await job.moveToDelayed(this.o.clock.now() + this.o.policy.pollMs, token);
      throw new DelayedError();
    }
    this.inFlight.set(capability, busy + 1);
    try {
      return await this.deliver(job, token);
    } finally {
      this.inFlight.set(capability, (this.inFlight.get(capability) ?? 1) - 1);
    }
  }

  private async deliver(job: Job<JobRecord>, token: string | undefined): Promise<unknown> {
    const { chains, clock, policy } = this.o;
    const { calling, ...data } = job.data;
    // A job item's age counts from its first attempt (as on SQLite), not from its job's submission.
    const rec: DeliveryRecord = data.job && data.attempts === 0 ? { ...data, createdAt: this.o.clock.now() } : data;
    const jobs = rec.job ? this.o.jobs : undefined;
    if (rec.state !== 'pending' && rec.state !== 'in_progress') {
      await jobs?.ended(rec); // counted once: this covers a worker that stopped before counting it
      return rec.result ?? null;
    }
    const now = clock.now();
    if (now - rec.createdAt > policy.maxAgeMs)
      return this.end(
        job,
        rec,
        'dead',
        rec.lastError ?? { code: 'GW_ALL_PROVIDERS_FAILED', kind: 'transient', message: 'maximum age reached' },
      );
    const chain = chains.getProviderChain(rec.capability);
    const usable = chain?.usableAt(now) ?? null;
    if (!chain || usable === null || usable > now) {
      const at = Math.min(usable ?? now + policy.pollMs, rec.createdAt + policy.maxAgeMs + 1);
      return this.delay(job, token, { ...rec, state: 'pending', nextAttemptAt: at, updatedAt: now }, at);
    }
    if (jobs && rec.job) {
      const hold = await jobs.hold(rec.job.id);
      if (hold === 'paused')
        return this.delay(job, token, { ...rec, nextAttemptAt: now + JOB_CHECK_MS, updatedAt: now }, now + JOB_CHECK_MS);
      if (hold === 'cancelled') return this.cancel(job, rec, now);
    }
    if (calling !== undefined && !chain.deduplicates(rec.request)) {
      return this.end(job, rec, 'unknown_outcome', {
        code: 'GW_UNKNOWN_OUTCOME',
        kind: 'unknown_outcome',
        message: 'The worker holding this delivery stopped during the provider call; it may have been delivered.',
      });
    }
    const started: DeliveryRecord = { ...rec, state: 'in_progress', attempts: rec.attempts + 1, updatedAt: now, nextAttemptAt: null };
    await job.updateData({ ...started, calling: this.owner });
    const deadlineMs = Math.max(1, Math.min(chain.policy.deadlineMs, Math.floor(policy.leaseMs * 0.8)));
    try {
      const r = await chain.invoke(rec.request, {
        idempotencyKey: rec.idempotencyKey,
        deadlineMs,
        acceptedAt: rec.createdAt,
        spread: rec.job?.spread === true,
      });
      const delivered: DeliveryRecord = { ...started, state: 'delivered', result: r.result, provider: r.provider, updatedAt: clock.now() };
      await job.updateData(delivered);
      await this.o.ledger.settle(
        rec.idempotencyKey,
        { state: 'succeeded', result: r.result, provider: r.provider, deliveryId: rec.id },
        clock.now(),
      );
      await jobs?.ended(delivered);
      return r.result ?? null;
    } catch (thrown) {
      if (thrown instanceof DelayedError) throw thrown;
      const error = deliveryError(thrown);
      if (mayHaveLanded(thrown)) return this.end(job, started, 'unknown_outcome', error);
      if (error.kind === 'invalid_request') return this.end(job, started, 'failed', error);
      const t = clock.now();
      const next = t + retryDelay(policy, started.attempts, this.o.random, toGatewayError(thrown).retryAfterMs);
      if (next - rec.createdAt > policy.maxAgeMs) return this.end(job, started, 'dead', error);
      return this.delay(job, token, { ...started, state: 'pending', nextAttemptAt: next, updatedAt: t, lastError: error }, next);
    }
  }

  private async delay(job: Job<JobRecord>, token: string | undefined, rec: DeliveryRecord, at: number): Promise<never> {
    await job.updateData(rec);
    await job.moveToDelayed(at, token);
    throw new DelayedError();
  }

  /** A fed item of a cancelled job: not sent, its key freed. */
  private async cancel(job: Job<JobRecord>, rec: DeliveryRecord, now: number): Promise<never> {
    const done: DeliveryRecord = { ...rec, state: 'cancelled', updatedAt: now, nextAttemptAt: null };
    await job.updateData(done);
    await this.o.ledger.release(rec.idempotencyKey);
    await this.o.jobs?.ended(done);
    throw new UnrecoverableError('cancelled: the job was cancelled');
  }

  private async end(
    job: Job<JobRecord>,
    rec: DeliveryRecord,
    state: 'dead' | 'failed' | 'unknown_outcome',
    error: DeliveryError,
  ): Promise<never> {
    const { clock } = this.o;
    const now = clock.now();
    const done: DeliveryRecord = { ...rec, state, lastError: error, updatedAt: now, nextAttemptAt: null };
    await job.updateData(done);
    if (rec.job) await this.o.jobs?.ended(done);
    if (state !== 'dead')
      await this.o.ledger.settle(rec.idempotencyKey, { state, error: { name: 'GatewayError', ...error }, deliveryId: rec.id }, now);
    this.logger.warn({ deliveryId: rec.id, idempotencyKey: rec.idempotencyKey, state }, 'outbox delivery ended without delivery');
    if (this.o.recommendations) {
      if (state === 'dead') await recommendDeadLetter(this.o.recommendations, done, now, 'the maximum age was reached');
      if (state === 'unknown_outcome') await recommendUnknownOutcome(this.o.recommendations, done, now);
    }
    throw new UnrecoverableError(`${state}: ${error.code}`);
  }
}
