/**
 * The outbox worker for the memory and SQLite outboxes. Each capability is a lane with up to
 * `concurrency` deliveries in flight, so one capability whose provider hangs cannot hold up
 * another's; inside a lane the provider's own pace (src/core/pacer.ts) decides when each call
 * goes. A delivery is leased (a lease that expired because its worker died is taken over),
 * called through the chain with the original idempotency key, and retried with exponential
 * backoff and jitter. Only capabilities with a usable provider now are leased, so an outage or
 * a cool-down is waited out, not hammered. At the maximum age a delivery is dead-lettered with
 * a critical recommendation naming it.
 */
import { randomUUID } from 'node:crypto';
import type { Clock, TimerHandle } from '../core/clock.js';
import { toGatewayError } from '../core/errors.js';
import type { ChainRegistry } from '../core/registry.js';
import { silentLogger, type Logger } from '../core/logger.js';
import { retryDelay } from './backoff.js';
import { recommendDeadLetter, recommendUnknownOutcome, type RecommendationSink } from './dead-letter.js';
import { deliveryError, mayHaveLanded } from './delivery-errors.js';
import type { DeliveryOutcome, DeliveryRecord, LeasableOutbox, LeasedDelivery } from './outbox.js';

export interface OutboxPolicy {
  maxAgeMs: number;
  baseDelayMs: number;
  maxDelayMs: number;
  leaseMs: number;
  pollMs: number;
  /** Deliveries in flight per capability on this instance (default 16). */
  concurrency?: number;
}

export interface OutboxWorkerOptions {
  outbox: LeasableOutbox;
  chains: ChainRegistry;
  clock: Clock;
  policy: OutboxPolicy;
  recommendations?: RecommendationSink;
  logger?: Logger;
  owner?: string;
  random?: () => number;
}

export type TickResult = 'processed' | 'idle';

const DEFAULT_CONCURRENCY = 16;

export class OutboxWorker {
  readonly owner: string;
  private readonly o: OutboxWorkerOptions;
  private readonly logger: Logger;
  private readonly concurrency: number;
  private timer: TimerHandle | null = null;
  private running = false;
  /** Deliveries in flight, by capability (the lanes). */
  private readonly inFlight = new Map<string, Set<Promise<void>>>();
  private filling: Promise<void> | null = null;
  private fillAgain = false;
  private lastExpiry = -Infinity;

  constructor(o: OutboxWorkerOptions) {
    this.o = o;
    this.owner = o.owner ?? `worker-${randomUUID()}`;
    this.logger = o.logger ?? silentLogger;
    this.concurrency = Math.max(1, o.policy.concurrency ?? DEFAULT_CONCURRENCY);
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    this.schedule(0);
  }

  async stop(): Promise<void> {
    this.running = false;
    this.timer?.cancel();
    this.timer = null;
    await this.filling?.catch(() => undefined);
    await Promise.allSettled([...this.inFlight.values()].flatMap((lane) => [...lane]));
  }

  /** One step, awaited (tests and the CLI): dead-letters what is too old, then leases and processes at most one delivery. */
  async tick(): Promise<TickResult> {
    await this.expireOld(true);
    const leased = await this.leaseOne(this.usableCapabilities());
    if (!leased) return 'idle';
    await this.process(leased);
    return 'processed';
  }

  /** Fills every usable capability's lane up to the concurrency; a lane refills as its deliveries end. */
  private fill(): Promise<void> {
    if (this.filling) {
      this.fillAgain = true;
      return this.filling;
    }
    this.filling = (async () => {
      do {
        this.fillAgain = false;
        await this.expireOld(false);
        for (const capability of this.usableCapabilities()) {
          const lane = this.lane(capability);
          while (this.running && lane.size < this.concurrency) {
            // Every free slot asks at once: the SQLite outbox leases them in one transaction.
            const free = this.concurrency - lane.size;
            const leases = await Promise.all(Array.from({ length: free }, () => this.leaseOne([capability])));
            for (const leased of leases) if (leased) this.run(lane, leased, capability);
            if (leases.some((l) => l === undefined)) break;
          }
        }
      } while (this.fillAgain && this.running);
    })().finally(() => {
      this.filling = null;
    });
    return this.filling;
  }

  /** Processes a leased delivery in its lane; the lane refills when it ends. */
  private run(lane: Set<Promise<void>>, leased: LeasedDelivery, capability: string): void {
    const done: Promise<void> = this.process(leased)
      .catch((error: unknown) => this.logger.error({ err: (error as Error).message, capability }, 'outbox delivery step failed'))
      .finally(() => {
        lane.delete(done);
        if (this.running) void this.fill();
      });
    lane.add(done);
  }

  private lane(capability: string): Set<Promise<void>> {
    let lane = this.inFlight.get(capability);
    if (!lane) this.inFlight.set(capability, (lane = new Set()));
    return lane;
  }

  /** Dead-letters deliveries past the maximum age (at most once a poll interval unless forced). */
  private async expireOld(force: boolean): Promise<void> {
    const { outbox, clock, policy } = this.o;
    const now = clock.now();
    if (!force && now - this.lastExpiry < policy.pollMs) return;
    this.lastExpiry = now;
    for (const rec of await outbox.expire(now - policy.maxAgeMs, now)) await this.deadLetter(rec, 'maximum age reached');
  }

  private usableCapabilities(): string[] {
    const now = this.o.clock.now();
    return this.o.chains
      .listProviderChains()
      .filter((c) => {
        const t = c.usableAt(now);
        return t !== null && t <= now;
      })
      .map((c) => c.capability);
  }

  private async leaseOne(capabilities: readonly string[]): Promise<LeasedDelivery | undefined> {
    if (capabilities.length === 0) return undefined;
    const { outbox, clock, policy } = this.o;
    return outbox.lease(this.owner, clock.now(), policy.leaseMs, capabilities);
  }

  /** A leased delivery: dead at its maximum age, unknown when its last worker died mid-call, else one attempt. */
  private async process(leased: LeasedDelivery): Promise<void> {
    const { outbox, chains, clock, policy } = this.o;
    const rec = leased.record;
    if (clock.now() - rec.createdAt > policy.maxAgeMs) {
      await this.finish(rec, {
        state: 'dead',
        error: rec.lastError ?? { code: 'GW_ALL_PROVIDERS_FAILED', kind: 'transient', message: 'maximum age reached' },
      });
      return;
    }
    if (leased.wasCalling && !chains.requireChain(rec.capability).deduplicates(rec.request)) {
      const error = {
        code: 'GW_UNKNOWN_OUTCOME' as const,
        kind: 'unknown_outcome' as const,
        message: 'The worker holding this delivery stopped during the provider call; it may have been delivered.',
      };
      await this.finish(rec, { state: 'unknown_outcome', error });
      return;
    }
    if (!(await outbox.markCalling(rec.id, this.owner))) return;
    await this.finish(rec, await this.attempt(rec));
  }

  private async attempt(rec: DeliveryRecord): Promise<DeliveryOutcome> {
    const { chains, clock, policy } = this.o;
    try {
      const chain = chains.requireChain(rec.capability);
      const deadlineMs = Math.max(1, Math.min(chain.policy.deadlineMs, Math.floor(policy.leaseMs * 0.8)));
      const r = await chain.invoke(rec.request, {
        idempotencyKey: rec.idempotencyKey,
        deadlineMs,
        acceptedAt: rec.createdAt,
        spread: rec.job?.spread === true,
      });
      return { state: 'delivered', result: r.result, provider: r.provider };
    } catch (thrown) {
      const error = deliveryError(thrown);
      if (mayHaveLanded(thrown)) return { state: 'unknown_outcome', error };
      if (error.kind === 'invalid_request') return { state: 'failed', error };
      const now = clock.now();
      const next = now + retryDelay(policy, rec.attempts, this.o.random, toGatewayError(thrown).retryAfterMs);
      if (next - rec.createdAt > policy.maxAgeMs) return { state: 'dead', error };
      return { state: 'pending', nextAttemptAt: next, error };
    }
  }

  private async finish(rec: DeliveryRecord, outcome: DeliveryOutcome): Promise<void> {
    const now = this.o.clock.now();
    const applied = await this.o.outbox.finish(rec.id, this.owner, outcome, now);
    if (!applied) {
      this.logger.warn({ deliveryId: rec.id, outcome: outcome.state }, 'outbox lease was lost before the outcome was recorded');
      return;
    }
    this.logger.info(
      { deliveryId: rec.id, idempotencyKey: rec.idempotencyKey, outcome: outcome.state, attempts: rec.attempts },
      'outbox delivery attempt',
    );
    if (outcome.state === 'dead') await this.deadLetter({ ...rec, state: 'dead', lastError: outcome.error }, 'the maximum age was reached');
    if (outcome.state === 'unknown_outcome' && this.o.recommendations)
      await recommendUnknownOutcome(this.o.recommendations, { ...rec, lastError: outcome.error }, now);
  }

  private async deadLetter(rec: DeliveryRecord, reason: string): Promise<void> {
    this.logger.error(
      { deliveryId: rec.id, idempotencyKey: rec.idempotencyKey, capability: rec.capability },
      `outbox delivery dead-lettered: ${reason}`,
    );
    if (this.o.recommendations) await recommendDeadLetter(this.o.recommendations, rec, this.o.clock.now(), reason);
  }

  /** Polls for newly due deliveries every pollMs; lanes also refill as soon as a delivery ends. */
  private schedule(ms: number): void {
    if (!this.running) return;
    this.timer = this.o.clock.setTimeout(() => {
      this.timer = null;
      void this.fill()
        .catch((error: unknown) => this.logger.error({ err: (error as Error).message }, 'outbox worker step failed'))
        .finally(() => this.schedule(this.o.policy.pollMs));
    }, ms);
  }
}
