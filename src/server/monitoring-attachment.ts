/**
 * The monitoring of one Gateway inside the server: a SelfCheckRegistry over the gateway's
 * store, a SelfCheckService over its chains, health transitions from live traffic synced into
 * the history, and the periodic self-checks (interval from `monitoring.intervalSeconds`, 0 = off).
 */
import type { Logger } from '../core/logger.js';
import type { Gateway } from '../gateway.js';
import type { AlertSink } from '../monitoring/alerts/alert.js';
import { AlertNotifier } from '../monitoring/alerts/alert-notifier.js';
import { SelfCheckRegistry } from '../monitoring/self-check-registry.js';
import { SelfCheckService } from '../monitoring/self-check-service.js';
import { HealthHints } from '../store/redis/health-hints.js';
import { LeaderLease } from '../store/redis/leader-lease.js';
import { RedisStore } from '../store/redis/redis-store.js';

export interface MonitoringAttachment {
  registry: SelfCheckRegistry;
  service: SelfCheckService;
  /** The alert sink (log line and the configured alert webhooks). */
  alerts: AlertSink;
  /** Stops the periodic checks (waiting for a run in flight), unsubscribes and flushes alerts. */
  detach(): Promise<void>;
}

export function attachMonitoring(gateway: Gateway, logger: Logger, opts: { periodic: boolean }): MonitoringAttachment {
  const { monitoring } = gateway.config;
  const alerts = new AlertNotifier({ webhooks: monitoring.alertWebhooks, logger, clock: gateway.clock });
  const registry = new SelfCheckRegistry({ store: gateway.store, clock: gateway.clock, alerts });
  let lease: LeaderLease | null = null;
  const service = new SelfCheckService({
    registry,
    shouldRun: () => lease === null || lease.isLeader,
    chains: () => gateway.listProviderChains(),
    backlog: () => gateway.outboxBacklog(),
    clock: gateway.clock,
    logger,
    probeTimeoutMs: monitoring.probeTimeoutMs,
    probeConcurrency: monitoring.probeConcurrency,
  });
  const unsync = service.syncProviderHealthWithMonitoring();
  // Several instances on one Redis: share health hints, and let one leader run the periodic checks.
  const store = gateway.store;
  const shared = store instanceof RedisStore ? sharedCoordination(store, gateway, logger) : null;
  lease = shared?.lease ?? null;
  if (opts.periodic && monitoring.intervalSeconds > 0) service.startPeriodicChecks(monitoring.intervalSeconds);
  gateway.startDeliveryWorker();
  return {
    registry,
    service,
    alerts,
    async detach() {
      unsync();
      await service.stopPeriodicChecks();
      await shared?.stop();
      await registry.flushAlerts();
    },
  };
}

function sharedCoordination(store: RedisStore, gateway: Gateway, logger: Logger): { lease: LeaderLease; stop(): Promise<void> } {
  const prefix = store.target.prefix;
  const hints = new HealthHints({ redis: store.redis, prefix });
  const lease = new LeaderLease({ redis: store.redis, prefix, name: 'self-check', ttlMs: 15_000 });
  hints
    .start()
    .then(() => hints.attach(gateway.listProviderChains()))
    .catch((e: unknown) => logger.warn({ reason: e instanceof Error ? e.message : String(e) }, 'health hints unavailable'));
  lease.start();
  return {
    lease,
    async stop() {
      await lease.stop();
      await hints.stop();
    },
  };
}
