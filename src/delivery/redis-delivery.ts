/** The delivery stack on Redis: the shared ledger, the BullMQ outbox and its worker. */
import { openRedis, parseRedisUrl } from '../store/redis/redis-connection.js';
import { BullmqOutbox } from './bullmq-outbox.js';
import { BullmqOutboxWorker } from './bullmq-worker.js';
import { outboxPolicy, type CreateDeliveryOptions, type DeliveryStack } from './delivery-stack.js';
import { DeliveryService } from './delivery-service.js';
import { RedisLedger } from './redis-ledger.js';

export async function createRedisDelivery(opts: CreateDeliveryOptions): Promise<DeliveryStack> {
  const target = parseRedisUrl(opts.storeUrl);
  const redis = openRedis(target, 'aicmo-delivery');
  const ledger = new RedisLedger(redis, target.prefix);
  const outbox = new BullmqOutbox(redis, target, ledger);
  const c = opts.config;
  const serviceOpts: ConstructorParameters<typeof DeliveryService>[0] = {
    host: opts.host,
    ledger,
    outbox,
    clock: opts.clock,
    policy: { ttlMs: Math.round(c.idempotencyTtlHours * 3_600_000), inFlight: c.inFlight, outboxEnabled: c.outbox.enabled },
  };
  if (opts.logger) serviceOpts.logger = opts.logger;
  if (opts.instanceId) serviceOpts.instanceId = opts.instanceId;
  const workerOpts: ConstructorParameters<typeof BullmqOutboxWorker>[0] = { outbox, ledger, host: opts.host, clock: opts.clock, policy: outboxPolicy(c) };
  if (opts.recommendations) workerOpts.recommendations = opts.recommendations;
  if (opts.logger) workerOpts.logger = opts.logger;
  const worker = new BullmqOutboxWorker(workerOpts);
  let closed = false;
  return {
    service: new DeliveryService(serviceOpts),
    worker,
    async close() {
      if (closed) return;
      closed = true;
      await worker.stop();
      await outbox.close();
      await redis.quit().catch(() => redis.disconnect());
    },
  };
}
