/**
 * GatewayRuntime: the live state behind the HTTP server. Holds the current Gateway (swapped
 * on a valid config reload; each Gateway starts and stops its own background work), the key
 * ring and the metrics; runs invocations (counting them per gateway so a retired gateway is
 * closed only once it is idle).
 */
import type { GatewayConfig } from '../config/schema.js';
import { isGatewayError } from '../core/errors.js';
import type { ProviderStatusJSON } from '../core/health.js';
import type { Disposer } from '../core/events.js';
import type { InvokeOptions, InvokeResult } from '../core/invocation.js';
import type { Submission, SubmitOptions } from '../delivery/delivery-service.js';
import type { Logger } from '../core/logger.js';
import type { Gateway } from '../gateway.js';
import type { FullCheckResult } from '../monitoring/self-check-service.js';
import type { CapabilityReport, ProviderRecommendation, ProviderReport, StatusReport } from '../monitoring/types.js';
import { KeyRing } from './auth.js';
import { assertSafeBind } from './bind-guard.js';
import type { GatewayMonitoring } from '../gateway/monitoring.js';
import { GatewayMetrics } from './metrics/gateway-metrics.js';
import { TrafficHistory } from './metrics/history.js';
import type { AlertChannelStats } from '../monitoring/alerts/alert-notifier.js';
import { initialReloadState, type ReloadState } from './reload-state.js';
import { restartOnlyChanges } from './restart-only.js';

export interface RuntimeOptions {
  logger: Logger;
  /** Run periodic self-checks (interval from monitoring.intervalSeconds). */
  periodicChecks: boolean;
  /** Loads and validates the config again (throws GW_CONFIG_INVALID with every problem). */
  loadConfig: () => GatewayConfig;
  /** Builds the Gateway for a newly loaded config. */
  createGateway: (config: GatewayConfig) => Promise<Gateway>;
  /** How long a retired gateway may finish its in-flight invocations before it is closed. */
  drainMs: number;
  processMetrics?: boolean;
  /** The host the server listens on: a reload must not leave it without keys when it is not loopback. */
  bindHost?: string;
}

interface LiveProviderReport extends ProviderReport {
  /** Success rate over the engine's sliding window (null before any call). */
  successRate: number | null;
  windowCalls: number;
  inFlight: number;
  /** The provider's own rate-limit state from its last answer that carried one. */
  rateLimit: ProviderStatusJSON['rateLimit'];
  /** The pace in force and the calls waiting for a turn. */
  pace: ProviderStatusJSON['pace'];
}

export interface ServerStatusReport extends Omit<StatusReport, 'capabilities'> {
  /** Each capability with its live provider figures and the deliveries its outbox holds. */
  capabilities: (Omit<CapabilityReport, 'providers'> & { providers: LiveProviderReport[]; outboxBacklog: number })[];
  gateway: { mode: string; configSource: string; startedAt: number; reload: ReloadState };
  /** Each alert channel: deliveries, failures after every retry, retries, the last failure. */
  alerts: AlertChannelStats[];
}

interface InFlightCalls {
  n: number;
}

export class GatewayRuntime {
  private current: Gateway;
  private unobserve: Disposer;
  private keyRing: KeyRing;
  /** Calls in flight on the current gateway; a reload starts a new counter and drains the old one. */
  private calls: InFlightCalls = { n: 0 };
  private readonly retiring = new Set<Promise<void>>();
  private manualCheck: Promise<FullCheckResult> | null = null;
  private reloading: Promise<boolean> = Promise.resolve(true);
  readonly metrics: GatewayMetrics;
  /** The last hour per minute, for the dashboard's charts. */
  readonly history: TrafficHistory;
  private readonly backlogSampler: NodeJS.Timeout;
  readonly reloadState: ReloadState = initialReloadState();
  readonly startedAt: number;
  private closed = false;

  constructor(
    gateway: Gateway,
    private readonly opts: RuntimeOptions,
  ) {
    this.current = gateway;
    this.startedAt = gateway.clock.now();
    this.keyRing = KeyRing.fromConfig(gateway.config.server);
    this.metrics = new GatewayMetrics(
      {
        chains: () => this.current.listProviderChains().map((c) => c.getStatusReport()),
        activeRecommendations: () => this.current.monitoring.registry.getRecommendations(),
        reloadFailed: () => this.reloadState.error !== null,
        outboxBacklog: () => this.current.outboxBacklog(),
        alertChannels: () => this.current.monitoring.alerts.stats(),
      },
      { processMetrics: opts.processMetrics ?? false },
    );
    this.history = new TrafficHistory(() => this.current.clock.now());
    gateway.start({ periodicChecks: opts.periodicChecks });
    this.unobserve = this.observe(gateway);
    // The backlog chart has a point each half minute, whether or not anyone is watching.
    this.backlogSampler = setInterval(() => void this.sampleBacklog().catch(() => undefined), 30_000).unref();
  }

  private observe(gateway: Gateway): Disposer {
    const chains = gateway.listProviderChains();
    const metrics = this.metrics.observe(chains);
    const history = this.history.observe(chains);
    return () => {
      metrics();
      history();
    };
  }

  /** Samples the outbox backlog into the history; returns it per capability. */
  async sampleBacklog(): Promise<Record<string, number>> {
    const backlog = await this.current.outboxBacklog();
    this.history.recordBacklog(Object.values(backlog).reduce((a, b) => a + b, 0));
    return backlog;
  }

  get gateway(): Gateway {
    return this.current;
  }

  get keys(): KeyRing {
    return this.keyRing;
  }

  get monitoring(): GatewayMonitoring {
    return this.current.monitoring;
  }

  /** Runs one invocation on the current gateway, with metrics. */
  invoke(capability: string, request: unknown, options: InvokeOptions): Promise<InvokeResult> {
    return this.track(
      capability,
      (g) => g.invoke(capability, request, options),
      (r) => ['success', r.provider],
    );
  }

  /** Like invoke, through the ledger and outbox: `accepted` (202) when the request was stored durably. */
  submit(capability: string, request: unknown, options: SubmitOptions): Promise<Submission> {
    return this.track(
      capability,
      (g) => g.submit(capability, request, options),
      (s) => (s.status === 'completed' ? ['success', s.result.provider] : ['queued', null]),
    );
  }

  /** Counts the call in flight on the gateway that serves it (a reload retires a gateway only when idle) and in the metrics. */
  private async track<R>(capability: string, run: (g: Gateway) => Promise<R>, outcome: (r: R) => [string, string | null]): Promise<R> {
    const gateway = this.current;
    const metrics = this.metrics;
    const counted = gateway.getProviderChain(capability) !== undefined;
    const started = counted ? metrics.invocationStarted(capability) : 0;
    const calls = this.calls;
    calls.n++;
    try {
      const r = await run(gateway);
      if (counted) {
        const [kind, provider] = outcome(r);
        metrics.invocationEnded(capability, started, kind, provider);
      }
      return r;
    } catch (error) {
      if (counted) metrics.invocationEnded(capability, started, isGatewayError(error) ? error.kind : 'transient', null);
      throw error;
    } finally {
      calls.n--;
    }
  }

  /** A full self-check; concurrent callers share the run in progress. */
  selfCheck(): Promise<FullCheckResult> {
    this.manualCheck ??= this.current.monitoring.service.runFullCheck().finally(() => {
      this.manualCheck = null;
    });
    return this.manualCheck;
  }

  async statusReport(): Promise<ServerStatusReport> {
    const gateway = this.current;
    const chains = gateway.listProviderChains().map((c) => c.getStatusReport());
    const report = await gateway.monitoring.registry.getStatusReport({ chains });
    const backlog = await this.sampleBacklog();
    // Add the live window figures (success rate over the sliding window, calls, in flight) to each provider.
    const live = new Map(chains.flatMap((c) => c.providers.map((p) => [`${c.capability}\u0000${p.name}`, p] as const)));
    const capabilities = report.capabilities.map((c) => ({
      ...c,
      outboxBacklog: backlog[c.capability] ?? 0,
      providers: c.providers.map((p) => {
        const s = live.get(`${c.capability}\u0000${p.name}`);
        return {
          ...p,
          successRate: s?.successRate ?? null,
          windowCalls: s?.windowCalls ?? 0,
          inFlight: s?.inFlight ?? 0,
          rateLimit: s?.rateLimit ?? null,
          pace: s?.pace ?? { ratePerSecond: null, waiting: 0 },
        };
      }),
    }));
    return {
      ...report,
      capabilities,
      gateway: { mode: gateway.mode, configSource: gateway.configSource, startedAt: this.startedAt, reload: this.reloadState },
      alerts: gateway.monitoring.alerts.stats(),
    };
  }

  async activeRecommendations(capability?: string): Promise<ProviderRecommendation[]> {
    return this.current.monitoring.registry.getRecommendations(capability ? { capability } : {});
  }

  /** Ready unless a capability marked `required` has no usable provider. */
  readiness(): { ready: boolean; down: string[] } {
    const gateway = this.current;
    const down = gateway
      .listProviderChains()
      .filter((c) => gateway.config.capabilities[c.capability as keyof GatewayConfig['capabilities']]?.required)
      .filter((c) => c.getStatusReport().usableProviders === 0)
      .map((c) => c.capability);
    return { ready: down.length === 0, down };
  }

  /** Validates the new config first; on success swaps in a new Gateway, else keeps the running one. Serialised. */
  reload(): Promise<boolean> {
    this.reloading = this.reloading.then(() => this.reloadNow());
    return this.reloading;
  }

  private async reloadNow(): Promise<boolean> {
    if (this.closed) return false;
    const state = this.reloadState;
    const old = this.current;
    state.attempts++;
    state.lastAttemptAt = old.clock.now();
    let next: Gateway;
    try {
      const config = this.opts.loadConfig();
      // The same bind check as a start: a reload never removes authentication from a public listener.
      const keysConfigured = KeyRing.fromConfig(config.server).enabled;
      assertSafeBind(this.opts.bindHost ?? old.config.server.host, keysConfigured);
      assertSafeBind(config.server.host, keysConfigured);
      await old.saveHealth().catch(() => undefined);
      next = await this.opts.createGateway(config);
    } catch (error) {
      const problems =
        isGatewayError(error) && Array.isArray(error.details?.problems) ? (error.details.problems as ReloadStateProblem[]) : [];
      const message = error instanceof Error ? error.message : String(error);
      state.error = { at: old.clock.now(), code: isGatewayError(error) ? error.code : 'GW_INTERNAL', message, problems };
      this.opts.logger.error(
        { code: state.error.code, problems },
        `config reload failed, the previous config keeps running: ${message.split('\n')[0]}`,
      );
      this.alertReload('recommendation.opened', message.split('\n')[0]!);
      return false;
    }
    const oldCalls = this.calls;
    this.unobserve();
    this.current = next;
    this.calls = { n: 0 };
    this.keyRing = KeyRing.fromConfig(next.config.server);
    next.start({ periodicChecks: this.opts.periodicChecks });
    this.unobserve = this.observe(next);
    if (state.error !== null) this.alertReload('recommendation.resolved', 'the config reloaded');
    state.error = null;
    state.lastSuccessAt = next.clock.now();
    state.pendingRestart = restartOnlyChanges(old.config, next.config);
    this.opts.logger.info({ configSource: next.configSource, pendingRestart: state.pendingRestart }, 'config reloaded');
    this.retire(old, oldCalls);
    return true;
  }

  /** A refused reload is an operator alert (log line and alert webhooks); the next good reload resolves it. */
  private alertReload(type: 'recommendation.opened' | 'recommendation.resolved', what: string): void {
    const now = this.current.clock.now();
    const resolved = type === 'recommendation.resolved';
    this.current.monitoring.alerts.notify({
      type,
      at: now,
      recommendation: {
        provider: '*',
        capability: 'gateway',
        issueKey: 'config_reload_failed',
        severity: 'critical',
        health: 'UNKNOWN',
        issue: resolved ? `Config reload succeeded: ${what}` : `Config reload refused, the previous config keeps running: ${what}`,
        action: 'Fix the config file (see gateway.reload.error in /v1/status) and send SIGHUP again.',
        firstSeen: this.reloadState.error?.at ?? now,
        lastSeen: now,
        occurrences: this.reloadState.attempts,
        resolvedAt: resolved ? now : null,
      },
    });
  }

  private retire(gateway: Gateway, calls: InFlightCalls): void {
    const p = (async () => {
      await gateway.stop();
      const until = gateway.clock.now() + this.opts.drainMs;
      while (calls.n > 0 && gateway.clock.now() < until) await new Promise((r) => setTimeout(r, 20));
      await gateway.close();
    })()
      .catch((error: unknown) =>
        this.opts.logger.warn({ reason: error instanceof Error ? error.message : String(error) }, 'closing the previous gateway failed'),
      )
      .finally(() => this.retiring.delete(p));
    this.retiring.add(p);
  }

  /** Stops the checks, unsubscribes, waits for retired gateways, and closes the current one. */
  async close(opts: { closeGateway: boolean }): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    clearInterval(this.backlogSampler);
    await this.reloading.catch(() => undefined);
    this.unobserve();
    await this.current.stop();
    await Promise.allSettled([...this.retiring]);
    if (opts.closeGateway) await this.current.close();
  }
}

type ReloadStateProblem = { path: string; message: string };
