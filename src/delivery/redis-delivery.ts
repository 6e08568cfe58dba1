/** The delivery stack on Redis: the shared ledger, the BullMQ outbox, its jobs and its worker. */
import { openRedis, type RedisTarget } from '../store/redis/redis-connection.js';
import { BullmqOutbox } from './bullmq-outbox.js';
import { BullmqOutboxWorker } from './bullmq-worker.js';
import { deliveryPolicy, deliveryStack, outboxPolicy, type CreateDeliveryOptions, type DeliveryStack } from './delivery-stack.js';
import { DeliveryService } from './delivery-service.js';
import { JobService } from './job-service.js';
import { RedisJobs } from './redis-jobs.js';
import { RedisLedger } from './redis-ledger.js';

export function createRedisDelivery(target: RedisTarget, opts: CreateDeliveryOptions): DeliveryStack {
  const { store, config, chains, clock } = opts;
  const redis = openRedis(target, 'aicmo-delivery');
  const ledger = new RedisLedger(redis, target.prefix);
  const outbox = new BullmqOutbox(redis, target, ledger);
  const logger = opts.logger ? { logger: opts.logger } : {};
  const service = new DeliveryService({
    chains,
    ledger,
    outbox,
    clock,
    policy: deliveryPolicy(config),
    ...logger,
    ...(opts.instanceId ? { instanceId: opts.instanceId } : {}),
  });
  const jobStore = new RedisJobs({ redis, prefix: target.prefix, queue: outbox.queue, ledger, keepMs: outbox.keepMs });
  const jobs = new JobService({ chains, store: jobStore, clock, ttlMs: deliveryPolicy(config).ttlMs });
  const worker = new BullmqOutboxWorker({
    outbox,
    ledger,
    chains,
    clock,
    policy: outboxPolicy(config),
    recommendations: store,
    jobs: jobStore,
    ...logger,
  });
  return deliveryStack(
    service,
    worker,
    async () => {
      await outbox.close();
      await redis.quit().catch(() => redis.disconnect());
    },
    jobs,
  );
}
