/** What a delivery stack is (service + worker) and how it is configured. */
import type { Clock } from '../core/clock.js';
import type { Logger } from '../core/logger.js';
import type { ChainRegistry } from '../core/registry.js';
import type { GatewayConfig } from '../config/schema.js';
import type { Store } from '../store/store.js';
import type { DeliveryService } from './delivery-service.js';
import type { JobService } from './job-service.js';
import type { OutboxPolicy } from './outbox-worker.js';

interface DeliveryWorker {
  start(): void;
  stop(): Promise<void>;
}

export interface DeliveryStack {
  readonly service: DeliveryService;
  /** The outbox worker (not started). */
  readonly worker: DeliveryWorker;
  /** Jobs (SQLite store only, for now). */
  readonly jobs?: JobService;
  close(): Promise<void>;
}

export interface CreateDeliveryOptions {
  /** The Gateway's store: its kind picks the ledger and outbox, and it receives dead-letter recommendations. */
  store: Store;
  config: GatewayConfig['delivery'];
  chains: ChainRegistry;
  clock: Clock;
  logger?: Logger;
  instanceId?: string;
}

/** A stack whose close() stops the worker, then releases what the outbox holds (once). */
export function deliveryStack(
  service: DeliveryService,
  worker: DeliveryWorker,
  release: () => Promise<void>,
  jobs?: JobService,
): DeliveryStack {
  let closed = false;
  return {
    service,
    worker,
    ...(jobs ? { jobs } : {}),
    async close() {
      if (closed) return;
      closed = true;
      await worker.stop();
      await release();
    },
  };
}

export function outboxPolicy(config: GatewayConfig['delivery']): OutboxPolicy {
  const o = config.outbox;
  return {
    maxAgeMs: Math.round(o.maxAgeHours * 3_600_000),
    baseDelayMs: o.baseDelayMs,
    maxDelayMs: o.maxDelayMs,
    leaseMs: o.leaseMs,
    pollMs: o.pollMs,
    concurrency: o.concurrency,
  };
}

export function deliveryPolicy(config: GatewayConfig['delivery']): { ttlMs: number; inFlight: 'wait' | 'reject'; outboxEnabled: boolean } {
  return { ttlMs: Math.round(config.idempotencyTtlHours * 3_600_000), inFlight: config.inFlight, outboxEnabled: config.outbox.enabled };
}
