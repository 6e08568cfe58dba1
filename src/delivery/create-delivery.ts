/**
 * Builds the delivery stack that belongs to the Gateway's store: a memory store -> memory ledger
 * and outbox; a SQLite store -> the delivery database next to its file (`<name>.delivery.db`);
 * a Redis store -> the Redis ledger and the BullMQ outbox (see ./redis-delivery.ts).
 */
import { GatewayError } from '../core/errors.js';
import { silentLogger } from '../core/logger.js';
import { MemoryStore } from '../store/memory/memory-store.js';
import { RedisStore } from '../store/redis/redis-store.js';
import { SqliteStore } from '../store/sqlite/sqlite-store.js';
import { deliveryDbPath, openDeliveryDb } from './delivery-db.js';
import { DeliveryService } from './delivery-service.js';
import { deliveryPolicy, deliveryStack, outboxPolicy, type CreateDeliveryOptions, type DeliveryStack } from './delivery-stack.js';
import { JobService } from './job-service.js';
import { MemoryLedger } from './memory-ledger.js';
import { MemoryOutbox } from './memory-outbox.js';
import { OutboxWorker } from './outbox-worker.js';
import { createRedisDelivery } from './redis-delivery.js';
import { SqliteLedger } from './sqlite-ledger.js';
import { SqliteJobs } from './sqlite-jobs.js';
import { SqliteOutbox } from './sqlite-outbox.js';

export function createDelivery(opts: CreateDeliveryOptions): DeliveryStack {
  const { store, config, chains, clock } = opts;
  if (store instanceof RedisStore) return createRedisDelivery(store.target, opts);
  const logger = opts.logger ?? silentLogger;
  let ledger: MemoryLedger | SqliteLedger;
  let outbox: MemoryOutbox | SqliteOutbox;
  let closeDb = (): void => undefined;
  let jobStore: SqliteJobs | undefined;
  if (store instanceof MemoryStore) {
    const limits = config.memoryLedger;
    ledger = new MemoryLedger({ limits: { maxEntries: limits.maxEntries, maxBytes: Math.round(limits.maxMegabytes * 1_048_576) }, logger });
    outbox = new MemoryOutbox(ledger);
  } else if (store instanceof SqliteStore) {
    const path = deliveryDbPath(store.path);
    let db: ReturnType<typeof openDeliveryDb>;
    try {
      db = openDeliveryDb(path);
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      throw new GatewayError('GW_CONFIG_INVALID', `Cannot open the delivery database at ${path}: ${reason}`, {
        details: { problems: [{ path: 'store', message: reason }] },
      });
    }
    ledger = new SqliteLedger(db, { sync: config.ledgerSync });
    outbox = new SqliteOutbox(db, ledger);
    jobStore = new SqliteJobs(db, ledger);
    closeDb = () => db.close();
  } else {
    throw new GatewayError(
      'GW_CONFIG_INVALID',
      `The delivery layer has no ledger for a ${store.kind} store (use memory:, sqlite:<path> or redis://)`,
      {
        details: { problems: [{ path: 'store', message: 'unsupported store kind' }] },
      },
    );
  }
  const service = new DeliveryService({
    chains,
    ledger,
    outbox,
    clock,
    logger,
    policy: deliveryPolicy(config),
    ...(opts.instanceId ? { instanceId: opts.instanceId } : {}),
  });
  const worker = new OutboxWorker({ outbox, chains, clock, policy: outboxPolicy(config), logger, recommendations: store });
  const policy = deliveryPolicy(config);
  const jobs = jobStore ? new JobService({ chains, store: jobStore, clock, ttlMs: policy.ttlMs }) : undefined;
  return deliveryStack(
    service,
    worker,
    async () => {
      await outbox.close();
      closeDb();
    },
    jobs,
  );
}
