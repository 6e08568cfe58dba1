/** What a delivery stack is (service + worker) and how it is configured. */
import type { Clock } from '../core/clock.js';
import type { Logger } from '../core/logger.js';
import type { GatewayConfig } from '../config/schema.js';
import type { RecommendationSink } from './dead-letter.js';
import type { DeliveryService } from './delivery-service.js';
import type { DeliveryHost } from './host.js';
import type { OutboxPolicy } from './outbox-worker.js';

export interface DeliveryWorker {
  start(): void;
  stop(): Promise<void>;
}

export interface DeliveryStack {
  readonly service: DeliveryService;
  /** The outbox worker (not started). */
  readonly worker: DeliveryWorker;
  close(): Promise<void>;
}

export interface CreateDeliveryOptions {
  storeUrl: string;
  config: GatewayConfig['delivery'];
  host: DeliveryHost;
  clock: Clock;
  recommendations?: RecommendationSink;
  logger?: Logger;
  instanceId?: string;
}

export function outboxPolicy(config: GatewayConfig['delivery']): OutboxPolicy {
  const o = config.outbox;
  return { maxAgeMs: Math.round(o.maxAgeHours * 3_600_000), baseDelayMs: o.baseDelayMs, maxDelayMs: o.maxDelayMs, leaseMs: o.leaseMs, pollMs: o.pollMs };
}

