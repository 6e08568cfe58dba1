/**
 * The monitoring of one Gateway: the alert notifier, the self-check registry over the gateway's
 * store, and the self-check service over its chains. `start()` (what the server does) syncs
 * health transitions of live traffic into the history, starts the periodic self-checks
 * (`monitoring.intervalSeconds`, 0 = off) and, on a Redis store, shares health hints between
 * instances and lets one leader run the periodic checks. `stop()` undoes all of it.
 */
import type { Clock } from '../core/clock.js';
import type { Disposer } from '../core/events.js';
import type { Logger } from '../core/logger.js';
import type { ChainRegistry } from '../core/registry.js';
import type { GatewayConfig } from '../config/schema.js';
import { AlertNotifier } from '../monitoring/alerts/alert-notifier.js';
import { SelfCheckRegistry } from '../monitoring/self-check-registry.js';
import { SelfCheckService } from '../monitoring/self-check-service.js';
import { HealthHints } from '../store/redis/health-hints.js';
import { LeaderLease } from '../store/redis/leader-lease.js';
import { RedisStore } from '../store/redis/redis-store.js';
import type { RecommendationInput } from '../monitoring/types.js';
import type { Store } from '../store/store.js';

export interface GatewayMonitoringOptions {
  config: GatewayConfig['monitoring'];
  store: Store;
  chains: ChainRegistry;
  /** Deliveries the outbox holds per capability (capability_down names them). */
  backlog: () => Promise<Record<string, number>>;
  /** Recommendations derived elsewhere (deliverability rates), per capability. */
  extraRecommendations?: (capability: string) => Promise<RecommendationInput[]>;
  clock: Clock;
  logger: Logger;
}

export class GatewayMonitoring {
  /** The log line and the configured alert webhooks. */
  readonly alerts: AlertNotifier;
  readonly registry: SelfCheckRegistry;
  readonly service: SelfCheckService;
  private readonly o: GatewayMonitoringOptions;
  private lease: LeaderLease | null = null;
  private hints: HealthHints | null = null;
  private unsync: Disposer | null = null;

  constructor(o: GatewayMonitoringOptions) {
    this.o = o;
    const { config, store, clock, logger } = o;
    this.alerts = new AlertNotifier({
      channels: [...config.alertWebhooks.map((w) => ({ type: 'webhook' as const, ...w })), ...config.alerts],
      retry: config.alertRetry,
      ...(config.dashboardUrl ? { dashboardUrl: config.dashboardUrl } : {}),
      logger,
      clock,
    });
    this.registry = new SelfCheckRegistry({ store, clock, alerts: this.alerts, historyWindow: config.historyMaxCount });
    this.service = new SelfCheckService({
      registry: this.registry,
      shouldRun: () => this.lease === null || this.lease.isLeader,
      chains: () => o.chains.listProviderChains(),
      backlog: o.backlog,
      ...(o.extraRecommendations ? { extraRecommendations: o.extraRecommendations } : {}),
      clock,
      logger,
      probeTimeoutMs: config.probeTimeoutMs,
      probeConcurrency: config.probeConcurrency,
    });
  }

  get started(): boolean {
    return this.unsync !== null;
  }

  start(opts: { periodicChecks: boolean }): void {
    if (this.unsync) return;
    const { config, store, chains, logger } = this.o;
    this.unsync = this.service.syncProviderHealthWithMonitoring();
    if (store instanceof RedisStore) {
      const prefix = store.target.prefix;
      const hints = new HealthHints({ redis: store.redis, prefix });
      this.hints = hints;
      hints
        .start()
        .then(() => hints.attach(chains.listProviderChains()))
        .catch((e: unknown) => logger.warn({ reason: e instanceof Error ? e.message : String(e) }, 'health hints unavailable'));
      this.lease = new LeaderLease({ redis: store.redis, prefix, name: 'self-check', ttlMs: 15_000 });
      this.lease.start();
    }
    if (opts.periodicChecks && config.intervalSeconds > 0) this.service.startPeriodicChecks(config.intervalSeconds);
  }

  /** Stops the periodic checks (waiting for a run in flight), unsubscribes, and flushes the alerts. */
  async stop(): Promise<void> {
    this.unsync?.();
    this.unsync = null;
    await this.service.stopPeriodicChecks();
    await this.lease?.stop();
    await this.hints?.stop();
    this.lease = null;
    this.hints = null;
    await this.registry.flushAlerts();
  }
}
