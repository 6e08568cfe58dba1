/**
 * The outbox worker for the memory and SQLite outboxes: leases one due delivery at a time
 * (a lease that expired because its worker died is taken over), calls the chain with the
 * original idempotency key, and retries with exponential backoff and jitter. It only leases
 * deliveries of capabilities that have a usable provider now, so an outage or a cool-down is
 * waited out, not hammered. At the maximum age a delivery is dead-lettered with a critical
 * recommendation naming it.
 */
import { randomUUID } from 'node:crypto';
import type { Clock, TimerHandle } from '../core/clock.js';
import { toGatewayError } from '../core/errors.js';
import type { ChainRegistry } from '../core/registry.js';
import { silentLogger, type Logger } from '../core/logger.js';
import { retryDelay } from './backoff.js';
import { recommendDeadLetter, recommendUnknownOutcome, type RecommendationSink } from './dead-letter.js';
import { deliveryError, mayHaveLanded } from './delivery-errors.js';
import type { DeliveryOutcome, DeliveryRecord, LeasableOutbox } from './outbox.js';

export interface OutboxPolicy {
  maxAgeMs: number;
  baseDelayMs: number;
  maxDelayMs: number;
  leaseMs: number;
  pollMs: number;
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

export class OutboxWorker {
  readonly owner: string;
  private readonly o: OutboxWorkerOptions;
  private readonly logger: Logger;
  private timer: TimerHandle | null = null;
  private running = false;
  private current: Promise<TickResult> | null = null;

  constructor(o: OutboxWorkerOptions) {
    this.o = o;
    this.owner = o.owner ?? `worker-${randomUUID()}`;
    this.logger = o.logger ?? silentLogger;
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
    await this.current?.catch(() => undefined);
  }

  /** One step: dead-letters what is too old, then leases and processes at most one delivery. */
  async tick(): Promise<TickResult> {
    const { outbox, chains, clock, policy } = this.o;
    const now = clock.now();
    for (const rec of await outbox.expire(now - policy.maxAgeMs, now)) await this.deadLetter(rec, 'maximum age reached');
    const usable = chains
      .listProviderChains()
      .filter((c) => {
        const t = c.usableAt(now);
        return t !== null && t <= now;
      })
      .map((c) => c.capability);
    if (usable.length === 0) return 'idle';
    const leased = await outbox.lease(this.owner, now, policy.leaseMs, usable);
    if (!leased) return 'idle';
    const rec = leased.record;
    if (now - rec.createdAt > policy.maxAgeMs) {
      await this.finish(rec, {
        state: 'dead',
        error: rec.lastError ?? { code: 'GW_ALL_PROVIDERS_FAILED', kind: 'transient', message: 'maximum age reached' },
      });
      return 'processed';
    }
    if (leased.wasCalling && !chains.requireChain(rec.capability).deduplicates(rec.request)) {
      const error = {
        code: 'GW_UNKNOWN_OUTCOME' as const,
        kind: 'unknown_outcome' as const,
        message: 'The worker holding this delivery stopped during the provider call; it may have been delivered.',
      };
      await this.finish(rec, { state: 'unknown_outcome', error });
      return 'processed';
    }
    if (!(await outbox.markCalling(rec.id, this.owner))) return 'processed';
    await this.finish(rec, await this.attempt(rec));
    return 'processed';
  }

  private async attempt(rec: DeliveryRecord): Promise<DeliveryOutcome> {
    const { chains, clock, policy } = this.o;
    try {
      const chain = chains.requireChain(rec.capability);
      const deadlineMs = Math.max(1, Math.min(chain.policy.deadlineMs, Math.floor(policy.leaseMs * 0.8)));
      const r = await chain.invoke(rec.request, { idempotencyKey: rec.idempotencyKey, deadlineMs, acceptedAt: rec.createdAt });
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

  private schedule(ms: number): void {
    if (!this.running) return;
    this.timer = this.o.clock.setTimeout(() => {
      this.timer = null;
      this.current = this.tick().catch((error: unknown) => {
        this.logger.error({ err: (error as Error).message }, 'outbox worker step failed');
        return 'idle' as const;
      });
      void this.current.then((r) => this.schedule(r === 'processed' ? 0 : this.o.policy.pollMs));
    }, ms);
  }
}
