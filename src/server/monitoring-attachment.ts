/**
 * The monitoring of one Gateway inside the server: a SelfCheckRegistry over the gateway's
 * store, a SelfCheckService over its chains, health transitions from live traffic synced into
 * the history, and the periodic self-checks (interval from `monitoring.intervalSeconds`, 0 = off).
 */
import type { Logger } from '../core/logger.js';
import type { Gateway } from '../gateway.js';
import { AlertNotifier } from '../monitoring/alerts/alert-notifier.js';
import { SelfCheckRegistry } from '../monitoring/self-check-registry.js';
import { SelfCheckService } from '../monitoring/self-check-service.js';

export interface MonitoringAttachment {
  registry: SelfCheckRegistry;
  service: SelfCheckService;
  /** Stops the periodic checks (waiting for a run in flight), unsubscribes and flushes alerts. */
  detach(): Promise<void>;
}

export function attachMonitoring(gateway: Gateway, logger: Logger, opts: { periodic: boolean }): MonitoringAttachment {
  const { monitoring } = gateway.config;
  const alerts = new AlertNotifier({ webhooks: monitoring.alertWebhooks, logger, clock: gateway.clock });
  const registry = new SelfCheckRegistry({ store: gateway.store, clock: gateway.clock, alerts });
  const service = new SelfCheckService({
    registry,
    chains: () => gateway.listProviderChains(),
    clock: gateway.clock,
    logger,
    probeTimeoutMs: monitoring.probeTimeoutMs,
    probeConcurrency: monitoring.probeConcurrency,
  });
  const unsync = service.syncProviderHealthWithMonitoring();
  if (opts.periodic && monitoring.intervalSeconds > 0) service.startPeriodicChecks(monitoring.intervalSeconds);
  return {
    registry,
    service,
    async detach() {
      unsync();
      await service.stopPeriodicChecks();
      await registry.flushAlerts();
    },
  };
}
