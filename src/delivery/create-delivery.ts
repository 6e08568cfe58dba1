/**
 * Builds the delivery stack for a store URL: `memory:` -> memory ledger and outbox;
 * `sqlite:<path>` -> the delivery database next to the store file (`<name>.delivery.db`);
 * `redis://` -> the Redis ledger and the BullMQ outbox (see ./redis-delivery.ts).
 */
import { GatewayError } from '../core/errors.js';
import { silentLogger } from '../core/logger.js';
import { deliveryDbPath, openDeliveryDb } from './delivery-db.js';
import { DeliveryService } from './delivery-service.js';
import { MemoryLedger } from './memory-ledger.js';
import { MemoryOutbox } from './memory-outbox.js';
import { OutboxWorker } from './outbox-worker.js';
import { outboxPolicy, type CreateDeliveryOptions, type DeliveryStack } from './delivery-stack.js';
import { createRedisDelivery } from './redis-delivery.js';
import { SqliteLedger } from './sqlite-ledger.js';
import { SqliteOutbox } from './sqlite-outbox.js';

export async function createDelivery(opts: CreateDeliveryOptions): Promise<DeliveryStack> {
  const { storeUrl, config, host, clock } = opts;
  const logger = opts.logger ?? silentLogger;
  const policy = { ttlMs: Math.round(config.idempotencyTtlHours * 3_600_000), inFlight: config.inFlight, outboxEnabled: config.outbox.enabled };
  if (storeUrl.startsWith('redis://') || storeUrl.startsWith('rediss://')) return createRedisDelivery(opts);
  let ledger: MemoryLedger | SqliteLedger;
  let outbox: MemoryOutbox | SqliteOutbox;
  let closeDb = (): void => undefined;
  if (storeUrl === 'memory:' || storeUrl === 'memory') {
    ledger = new MemoryLedger();
    outbox = new MemoryOutbox(ledger);
  } else if (storeUrl.startsWith('sqlite:')) {
    const path = deliveryDbPath(storeUrl.slice('sqlite:'.length).replace(/^\/\/(?=\/)/, ''));
    let db: ReturnType<typeof openDeliveryDb>;
    try {
      db = openDeliveryDb(path);
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      throw new GatewayError('GW_CONFIG_INVALID', `Cannot open the delivery database at ${path}: ${reason}`, { details: { problems: [{ path: 'store', message: reason }] } });
    }
    ledger = new SqliteLedger(db);
    outbox = new SqliteOutbox(db, ledger);
    closeDb = () => db.close();
  } else {
    throw new GatewayError('GW_CONFIG_INVALID', 'Invalid store URL for delivery (use memory:, sqlite:<path> or redis://)', { details: { problems: [{ path: 'store', message: 'unsupported scheme' }] } });
  }
  const serviceOpts: ConstructorParameters<typeof DeliveryService>[0] = { host, ledger, outbox, clock, logger, policy };
  if (opts.instanceId) serviceOpts.instanceId = opts.instanceId;
  const service = new DeliveryService(serviceOpts);
  const workerOpts: ConstructorParameters<typeof OutboxWorker>[0] = { outbox, host, clock, policy: outboxPolicy(config), logger };
  if (opts.recommendations) workerOpts.recommendations = opts.recommendations;
  const worker = new OutboxWorker(workerOpts);
  let closed = false;
  return {
    service,
    worker,
    async close() {
      if (closed) return;
      closed = true;
      await worker.stop();
      await outbox.close();
      closeDb();
    },
  };
}
