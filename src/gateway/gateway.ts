/**
 * Gateway: owns everything one configured gateway runs on. It opens the store (unless given
 * one), builds every chain from the config, restores and saves provider health so restarts and
 * other processes see the same picture, and creates its delivery stack (idempotency ledger,
 * outbox and worker, opened on first use) and its monitoring (self-checks, recommendations,
 * alerts). `start()` runs the background work a server needs (outbox worker, health history,
 * periodic self-checks); `close()` stops and closes all of it.
 *
 * One invocation: `submit()` (or `invoke()`, which never queues) -> DeliveryService (validate,
 * ledger, chain, settle, outbox) -> ProviderChain -> TrackedProvider -> adapter.
 */
import type { ProviderChain } from '../core/chain.js';
import { systemClock, type Clock, type TimerHandle } from '../core/clock.js';
import { GatewayError } from '../core/errors.js';
import type { InvokeOptions, InvokeResult } from '../core/invocation.js';
import { silentLogger, type Logger } from '../core/logger.js';
import type { Provider } from '../core/provider.js';
import { ChainRegistry } from '../core/registry.js';
import type { TrackedProvider, TrackedProviderSnapshot } from '../core/tracked-provider.js';
import type { CapabilityName } from '../capabilities/index.js';
import { loadConfig } from '../config/load.js';
import type { GatewayConfig } from '../config/schema.js';
import { createDelivery } from '../delivery/create-delivery.js';
import type { DeliveryService, Submission, SubmitOptions } from '../delivery/delivery-service.js';
import type { DeliveryStack } from '../delivery/delivery-stack.js';
import type { JobService } from '../delivery/job-service.js';
import type { SelfCheckRegistry } from '../monitoring/self-check-registry.js';
import type { SelfCheckService } from '../monitoring/self-check-service.js';
import { healthSnapshots } from '../monitoring/sources.js';
import { SandboxProvider, type SandboxRecord } from '../providers/sandbox/sandbox-provider.js';
import type { ProviderDeps } from '../providers/types.js';
import { Deliverability } from '../deliverability/deliverability.js';
import { suppressionGuard } from '../deliverability/suppression-guard.js';
import { openStore, retentionOf } from '../store/open-store.js';
import { RedisStore } from '../store/redis/redis-store.js';
import { SharedRateLimiter } from '../store/redis/shared-rate-limiter.js';
import type { Store } from '../store/store.js';
import { buildAdapter, buildChain, type BuildContext } from './build-chains.js';
import { GatewayMonitoring } from './monitoring.js';

export interface GatewayOptions {
  /** A validated config, a path to a config file, or nothing (GATEWAY_CONFIG, ./gateway.config.yaml, bundled defaults). */
  config?: GatewayConfig | string;
  /** An open store to use instead of the config's store URL (the gateway then does not close it). */
  store?: Store;
  /** The directory a relative config path or SQLite store path resolves against (default the working directory). */
  cwd?: string;
  logger?: Logger;
  clock?: Clock;
  /** Overrides the config's mode. */
  dryRun?: boolean;
  /** How often provider health is saved to the store (ms); 0 = never periodically. */
  snapshotIntervalMs?: number;
  /** Save provider health on close (default true; a read-only `--status` passes false). */
  saveOnClose?: boolean;
  /** Called for every delivery a dry-run sandbox makes (e.g. to log it durably in a crash test). */
  onSandboxDelivery?: (record: SandboxRecord) => void;
}

export type AdminAction = 'isolate' | 'reset' | 'force_closed';

export class Gateway {
  readonly config: GatewayConfig;
  readonly configSource: string;
  readonly configWarnings: readonly string[];
  readonly store: Store;
  /** The suppression list, mail event receivers and their intake. */
  readonly deliverability: Deliverability;
  readonly logger: Logger;
  readonly clock: Clock;
  /** Self-checks, recommendations and alerts over this gateway's chains and store. */
  readonly monitoring: GatewayMonitoring;
  private readonly ownsStore: boolean;
  private readonly chains = new ChainRegistry();
  private readonly adapters: Provider[] = [];
  private _dryRun = true;
  private snapshotTimer: TimerHandle | null = null;
  private closed = false;
  private readonly saveOnClose: boolean;
  private readonly onSandboxDelivery: ((record: SandboxRecord) => void) | undefined;
  private deliveryStack: DeliveryStack | undefined;

  private constructor(
    config: GatewayConfig,
    source: string,
    warnings: readonly string[],
    store: Store,
    ownsStore: boolean,
    opts: GatewayOptions,
  ) {
    this.config = config;
    this.configSource = source;
    this.configWarnings = warnings;
    this.store = store;
    this.ownsStore = ownsStore;
    this.logger = opts.logger ?? silentLogger;
    this.clock = opts.clock ?? systemClock;
    this.saveOnClose = opts.saveOnClose ?? true;
    this.onSandboxDelivery = opts.onSandboxDelivery;
    this.deliverability = new Deliverability({
      config: config.deliverability,
      suppressions: store.suppressions(),
      events: store.mailEvents(),
      clock: this.clock,
      logger: this.logger,
    });
    this.monitoring = new GatewayMonitoring({
      config: config.monitoring,
      store,
      chains: this.chains,
      backlog: () => this.outboxBacklog(),
      extraRecommendations: async (capability) =>
        capability === 'email_sending'
          ? (await this.deliverability.health.recommendations()).map((r) => ({
              ...r,
              capability,
              health: r.severity === 'critical' ? 'UNHEALTHY' : 'DEGRADED',
            }))
          : [],
      clock: this.clock,
      logger: this.logger,
    });
    this.deliverability.onEventsApplied = () => {
      this.monitoring.service
        .reevaluate('email_sending')
        .catch((error: unknown) => this.logger.warn({ reason: (error as Error).message }, 'could not re-evaluate email recommendations'));
    };
  }

  static async create(opts: GatewayOptions = {}): Promise<Gateway> {
    let config: GatewayConfig;
    let source = 'object';
    let warnings: string[] = [];
    if (typeof opts.config === 'object') config = opts.config;
    else ({ config, source, warnings } = loadConfig(opts.config, process.env, opts.cwd));
    const store =
      opts.store ??
      openStore(config.store, {
        retention: retentionOf(config.monitoring),
        ...(opts.cwd ? { cwd: opts.cwd } : {}),
        ...(opts.clock ? { clock: opts.clock } : {}),
      });
    const gateway = new Gateway(config, source, warnings, store, !opts.store, opts);
    try {
      gateway.setupProviderChains({ dryRun: opts.dryRun ?? config.mode === 'dry_run' });
      await gateway.restoreHealth();
    } catch (error) {
      // Nothing was served: close what was built, without saving half-restored health.
      await Promise.allSettled(gateway.adapters.map((a) => a.close?.() ?? Promise.resolve()));
      if (!opts.store) await store.close();
      throw error;
    }
    gateway.startSnapshots(opts.snapshotIntervalMs ?? 5_000);
    return gateway;
  }

  /**
   * Starts the background work of a long-running gateway (the server calls it; a CLI command
   * does not): the outbox worker, the health history of live traffic, the periodic self-checks.
   */
  start(opts: { periodicChecks?: boolean } = {}): void {
    if (this.closed) throw new GatewayError('GW_INTERNAL', 'the gateway is closed');
    this.monitoring.start({ periodicChecks: opts.periodicChecks ?? true });
    this.deliveryParts().worker.start();
  }

  /** Stops what start() started (waiting for a self-check or a delivery in flight); the gateway still serves calls. */
  async stop(): Promise<void> {
    await this.monitoring.stop();
    await this.deliveryStack?.worker.stop();
  }

  /** The idempotency ledger and durable outbox in front of the chains (opened on first use). */
  get delivery(): DeliveryService {
    return this.deliveryParts().service;
  }

  /** Bulk jobs (src/delivery/jobs.ts), on the SQLite store; undefined on the others for now. */
  get jobs(): JobService | undefined {
    return this.deliveryParts().jobs;
  }

  /** Deliveries the outbox holds per capability (waiting or in progress). */
  async outboxBacklog(): Promise<Record<string, number>> {
    return (await this.delivery.outbox?.backlog()) ?? {};
  }

  /**
   * Validates the request, consults the idempotency ledger (a completed key returns its stored
   * result without calling a provider) and runs the chain; a side-effecting request that every
   * provider failed transiently (or one the caller wants asynchronous) is stored durably and
   * answered `accepted` with a delivery.
   */
  submit(capability: string, request: unknown, options: SubmitOptions = {}): Promise<Submission> {
    return this.delivery.submit(capability, request, options);
  }

  /** Like submit, but never queues: the result, or the error. */
  invoke<T = unknown>(capability: string, request: unknown, options: InvokeOptions = {}): Promise<InvokeResult<T>> {
    return this.delivery.invoke<T>(capability, request, options);
  }

  get mode(): 'live' | 'dry_run' {
    return this._dryRun ? 'dry_run' : 'live';
  }

  /** (Re)builds every chain from the config. */
  setupProviderChains(opts: { dryRun: boolean }): void {
    this._dryRun = opts.dryRun;
    this.chains.clear();
    for (const [name, cap] of Object.entries(this.config.capabilities)) {
      const { chain, adapters } = buildChain(name as CapabilityName, cap, this.buildContext());
      this.adapters.push(...adapters.map((a) => a.adapter));
      this.chains.registerProviderChain(chain);
    }
  }

  getProviderChain(capability: string): ProviderChain | undefined {
    return this.chains.getProviderChain(capability);
  }

  registerProviderChain(chain: ProviderChain): void {
    this.chains.registerProviderChain(chain);
  }

  listProviderChains(): ProviderChain[] {
    return this.chains.listProviderChains();
  }

  /** The self-check registry (history, recommendations, status report) of this gateway. */
  getRegistry(): SelfCheckRegistry {
    return this.monitoring.registry;
  }

  /** The self-check service (probes, periodic checks) of this gateway. */
  getSelfCheckService(): SelfCheckService {
    return this.monitoring.service;
  }

  /** Every tracked provider of every chain. */
  listProviders(): TrackedProvider[] {
    return this.listProviderChains().flatMap((c) => [...c.providers]);
  }

  findProvider(name: string): TrackedProvider | undefined {
    return this.listProviders().find((p) => p.name === name);
  }

  /** A standalone adapter for one configured provider (not tracked by any chain). */
  createAdapter(name: string): Provider {
    for (const [capability, cap] of Object.entries(this.config.capabilities)) {
      const entry = cap.providers.find((p) => p.name === name);
      if (entry) {
        const built = buildAdapter(entry, capability, this.buildContext());
        this.adapters.push(built.adapter);
        return built.adapter;
      }
    }
    throw new GatewayError('GW_UNKNOWN_PROVIDER', `No provider named "${name}" is configured`, { provider: name });
  }

  /** The sandbox behind a provider in dry run (to inspect what it recorded or inject a failure). */
  getSandbox(name: string): SandboxProvider | undefined {
    const adapter = this.findProvider(name)?.adapter;
    return adapter instanceof SandboxProvider ? adapter : undefined;
  }

  /** What the dry-run providers would have done, newest last. */
  sandboxRecords(): SandboxRecord[] {
    return this.listProviders()
      .map((p) => p.adapter)
      .filter((a): a is SandboxProvider => a instanceof SandboxProvider)
      .flatMap((a) => a.records)
      .sort((a, b) => a.at - b.at);
  }

  /** Operator controls; recorded in the store's event history with who did it. */
  async admin(name: string, action: AdminAction, actor: string): Promise<TrackedProvider> {
    const provider = this.findProvider(name);
    if (!provider) throw new GatewayError('GW_UNKNOWN_PROVIDER', `No provider named "${name}" is configured`, { provider: name });
    if (action === 'isolate') provider.isolate();
    else if (action === 'reset') provider.reset();
    else provider.forceClosed();
    await this.store.appendEvent({
      at: this.clock.now(),
      type: 'admin_action',
      provider: name,
      capability: provider.capability,
      actor,
      message: `${action} by ${actor}`,
      data: { action, breakerState: provider.status().toJSON().breakerState },
    });
    await this.saveHealth();
    return provider;
  }

  /** Saves every provider's health snapshot to the store (another process reads it for --status). */
  async saveHealth(): Promise<void> {
    await this.store.saveSnapshots(healthSnapshots(this.listProviderChains(), this.clock.now()));
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.snapshotTimer?.cancel();
    await this.stop().catch((e: unknown) => this.logger.warn({ err: (e as Error).message }, 'could not stop the background work'));
    if (this.saveOnClose) {
      try {
        await this.saveHealth();
      } catch (error) {
        this.logger.warn({ err: (error as Error).message }, 'could not save provider health on close');
      }
    }
    await this.deliveryStack
      ?.close()
      .catch((e: unknown) => this.logger.warn({ err: (e as Error).message }, 'could not close the delivery stack'));
    await Promise.allSettled(this.adapters.map((a) => a.close?.() ?? Promise.resolve()));
    if (this.ownsStore) await this.store.close();
  }

  private deliveryParts(): DeliveryStack {
    if (this.closed) throw new GatewayError('GW_INTERNAL', 'the gateway is closed');
    return (this.deliveryStack ??= createDelivery({
      store: this.store,
      config: this.config.delivery,
      chains: this.chains,
      clock: this.clock,
      logger: this.logger,
    }));
  }

  private buildContext(): BuildContext {
    const store = this.store;
    return {
      config: this.config,
      dryRun: this._dryRun,
      clock: this.clock,
      logger: this.logger,
      ...(this.onSandboxDelivery ? { onSandboxDelivery: this.onSandboxDelivery } : {}),
      ...(store instanceof RedisStore
        ? {
            rateLimiterFor: (provider: string, limits: { ratePerSecond: number }) =>
              new SharedRateLimiter({ redis: store.redis, prefix: store.target.prefix, provider, ratePerSecond: limits.ratePerSecond }),
          }
        : {}),
      guardFor: (capability) =>
        capability === 'email_sending'
          ? suppressionGuard({
              suppressions: this.config.deliverability.suppression.enabled ? store.suppressions() : undefined,
              events: store.mailEvents(),
              clock: this.clock,
              ...(this.deliverability.unsubscribe ? { unsubscribe: this.deliverability.unsubscribe } : {}),
              demotedForBulk: () => this.deliverability.health.demotedForBulk(),
              logger: this.logger,
            })
          : undefined,
      deps: (provider: string): ProviderDeps => ({
        logger: this.logger.child ? this.logger.child({ provider }) : this.logger,
        clock: this.clock,
        state: store.providerState(provider),
        sentMail: store.sentMail(),
        mailEvents: { report: async (source, events) => void (await this.deliverability.ingest(source, events)) },
      }),
    };
  }

  private async restoreHealth(): Promise<void> {
    const byKey = new Map(this.listProviders().map((p) => [`${p.capability}/${p.name}`, p]));
    for (const rec of await this.store.loadSnapshots()) {
      const provider = byKey.get(`${rec.capability}/${rec.provider}`);
      if (provider && rec.snapshot && typeof rec.snapshot === 'object') provider.restore(rec.snapshot as TrackedProviderSnapshot);
    }
  }

  private startSnapshots(intervalMs: number): void {
    if (intervalMs <= 0) return;
    const tick = (): void => {
      this.saveHealth()
        .catch((error: unknown) => this.logger.warn({ err: (error as Error).message }, 'could not save provider health'))
        .finally(() => {
          if (!this.closed) this.snapshotTimer = this.clock.setTimeout(tick, intervalMs);
        });
    };
    this.snapshotTimer = this.clock.setTimeout(tick, intervalMs);
  }
}
