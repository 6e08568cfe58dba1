/** Wires the registry, alerts and self-check service of a CLI run to the opened gateway. */
import { systemClock } from '../core/clock.js';
import type { Logger } from '../core/logger.js';
import { AlertNotifier } from '../monitoring/alerts/alert-notifier.js';
import { SelfCheckRegistry } from '../monitoring/self-check-registry.js';
import { SelfCheckService } from '../monitoring/self-check-service.js';
import type { OpenedGateway } from './open-gateway.js';

export interface CliMonitoring {
  registry: SelfCheckRegistry;
  service: SelfCheckService;
}

export function setupMonitoring(opened: OpenedGateway, logger: Logger): CliMonitoring {
  const { gateway } = opened;
  const clock = gateway.clock ?? systemClock;
  const m = gateway.config.monitoring;
  const alerts = new AlertNotifier({ webhooks: m.alertWebhooks, logger, clock });
  const registry = new SelfCheckRegistry({ store: opened.store, clock, alerts, historyWindow: m.historyMaxCount });
  const service = new SelfCheckService({
    registry,
    clock,
    logger,
    chains: () => gateway.listProviderChains(),
    backlog: () => gateway.outboxBacklog(),
    probeTimeoutMs: m.probeTimeoutMs,
    probeConcurrency: m.probeConcurrency,
  });
  return { registry, service };
}
