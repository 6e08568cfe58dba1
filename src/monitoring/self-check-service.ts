/**
 * SelfCheckService: probes every provider of every chain (bounded concurrency, a timeout per
 * probe) through TrackedProvider.probe(), which feeds the outcome into the provider's health;
 * records the results, re-derives recommendations and saves provider snapshots.
 */
import { systemClock, type Clock } from '../core/clock.js';
import type { Disposer } from '../core/events.js';
import { silentLogger, type Logger } from '../core/logger.js';
import { mapBounded } from './bounded.js';
import { PeriodicRunner } from './periodic-runner.js';
import { evaluateChain } from './recommendations/evaluate.js';
import type { ProviderTypeFacts } from './recommendations/rule-context.js';
import type { RecordedRecommendation, SelfCheckRegistry } from './self-check-registry.js';
import {
  healthSnapshots,
  type HealthChangeEventLike,
  type MonitoredChain,
  type MonitoredProvider,
  type ProbeOutcomeLike,
} from './sources.js';
import type { HealthCheckResult, ProviderRecommendation, RecommendationInput } from './types.js';

export interface SelfCheckServiceOptions {
  registry: SelfCheckRegistry;
  /** Periodic runs happen only while this says so (the leader lease when several instances share Redis). */
  shouldRun?: () => boolean;
  /** The chains checked when runFullCheck() gets none (the Gateway's). */
  chains?: () => readonly MonitoredChain[];
  /** Deliveries the outbox holds per capability (named by capability_down). */
  backlog?: () => Promise<Record<string, number>>;
  clock?: Clock;
  logger?: Logger;
  probeTimeoutMs?: number;
  probeConcurrency?: number;
  /** Latency above this is "slow" for every provider. Default: each provider's configured breaker.slowCallMs. */
  slowThresholdMs?: number;
  /** Consecutive transient failures that mean "outage suspected". Default 3. */
  burstThreshold?: number;
  /** Jitter of the periodic interval as a fraction (default 0.1). */
  jitter?: number;
  random?: () => number;
  typeFacts?: (type: string) => ProviderTypeFacts;
  /** Recommendations other parts of the gateway derive for a capability (email_sending: deliverability rates). */
  extraRecommendations?: (capability: string) => Promise<RecommendationInput[]>;
}

export interface FullCheckProgress {
  done: number;
  total: number;
  result: HealthCheckResult;
}

export interface FullCheckResult {
  startedAt: number;
  finishedAt: number;
  results: HealthCheckResult[];
  /** Active recommendations after the run. */
  recommendations: ProviderRecommendation[];
}

export class SelfCheckService {
  readonly registry: SelfCheckRegistry;
  private readonly clock: Clock;
  private readonly logger: Logger;
  private readonly runner: PeriodicRunner;
  private periodicChains: readonly MonitoredChain[] | undefined;

  constructor(private readonly opts: SelfCheckServiceOptions) {
    this.registry = opts.registry;
    this.clock = opts.clock ?? systemClock;
    this.logger = opts.logger ?? silentLogger;
    this.runner = new PeriodicRunner(
      this.clock,
      async () => {
        if (this.opts.shouldRun && !this.opts.shouldRun()) return;
        await this.runFullCheck(this.periodicChains);
      },
      (error) => this.logger.error({ reason: error instanceof Error ? error.message : String(error) }, 'periodic self-check failed'),
      opts.random,
    );
  }

  get periodicRunning(): boolean {
    return this.runner.running;
  }

  async runFullCheck(
    chains?: readonly MonitoredChain[],
    opts: { onProgress?: (p: FullCheckProgress) => void } = {},
  ): Promise<FullCheckResult> {
    const list = chains ?? this.opts.chains?.() ?? [];
    const startedAt = this.clock.now();
    const jobs = list.flatMap((chain) => chain.providers.map((provider) => ({ chain, provider })));
    let done = 0;
    const results = await mapBounded(jobs, this.opts.probeConcurrency ?? 4, async ({ provider }) => {
      const result = toResult(await this.probeOne(provider), provider);
      opts.onProgress?.({ done: ++done, total: jobs.length, result });
      return result;
    });
    await this.registry.recordHealthChecks(results);
    const byName = new Map(results.map((r) => [`${r.capability}\u0000${r.provider}`, r]));
    for (const chain of list) {
      const probes = new Map(chain.providers.map((p) => [p.name, byName.get(`${chain.capability}\u0000${p.name}`)!]));
      await this.evaluate(chain, probes);
    }
    await this.saveSnapshots(list);
    const recommendations = await this.registry.getRecommendations();
    return { startedAt, finishedAt: this.clock.now(), results, recommendations };
  }

  /**
   * Subscribes to health changes of every provider: each transition is recorded in the history
   * (source `traffic`) and the audit trail, and the chain's recommendations are re-derived.
   */
  syncProviderHealthWithMonitoring(chains?: readonly MonitoredChain[]): Disposer {
    const list = chains ?? this.opts.chains?.() ?? [];
    let queue: Promise<unknown> = Promise.resolve();
    const disposers = list.flatMap((chain) =>
      chain.providers.map((p) =>
        p.onHealthChange((e) => {
          queue = queue
            .then(() => this.onTransition(chain, p, e))
            .catch((error: unknown) => {
              this.logger.warn({ reason: error instanceof Error ? error.message : String(error) }, 'recording a health transition failed');
            });
        }),
      ),
    );
    return () => disposers.forEach((d) => d());
  }

  startPeriodicChecks(intervalSeconds: number, chains?: readonly MonitoredChain[]): void {
    if (!(intervalSeconds > 0)) throw new RangeError('intervalSeconds must be > 0');
    this.periodicChains = chains;
    this.runner.start(intervalSeconds * 1000, this.opts.jitter ?? 0.1);
  }

  /** Stops the timer and waits for the run in flight. */
  stopPeriodicChecks(): Promise<void> {
    return this.runner.stop();
  }

  recordHealthCheck(result: HealthCheckResult): Promise<void> {
    return this.registry.recordHealthCheck(result);
  }

  recordRecommendation(input: RecommendationInput): Promise<RecordedRecommendation> {
    return this.registry.recordRecommendation(input);
  }

  private async probeOne(provider: MonitoredProvider): Promise<ProbeOutcomeLike> {
    try {
      return await provider.probe(this.opts.probeTimeoutMs ?? 10_000);
    } catch {
      // probe() never throws by contract; guard anyway so one provider cannot break the run.
      return {
        provider: provider.name,
        capability: provider.capability,
        ok: false,
        latencyMs: 0,
        at: this.clock.now(),
        error: { code: 'GW_INTERNAL', kind: 'transient', message: 'probe threw unexpectedly' },
      };
    }
  }

  private async onTransition(chain: MonitoredChain, p: MonitoredProvider, e: HealthChangeEventLike): Promise<void> {
    const status = p.status().toJSON();
    const result: HealthCheckResult = {
      provider: e.provider,
      capability: e.capability,
      timestamp: e.at,
      success: e.to === 'HEALTHY' || e.to === 'DEGRADED',
      latencyMs: Math.round(status.latencyMs ?? 0),
      source: 'traffic',
      health: e.to,
      metadata: { from: e.from, to: e.to, reason: e.reason },
    };
    if (!result.success && status.lastError)
      result.error = { code: status.lastError.code, kind: status.lastError.kind, message: status.lastError.message };
    await this.registry.recordHealthCheck(result);
    await this.registry.recordEvent({
      at: e.at,
      type: 'health_transition',
      actor: 'system',
      provider: e.provider,
      capability: e.capability,
      message: `${e.from} -> ${e.to}: ${e.reason}`,
      data: { from: e.from, to: e.to },
    });
    await this.evaluate(chain, new Map());
    await this.saveSnapshots([chain]);
  }

  /** Re-derives the recommendations of one capability now (new deliverability figures), without probing. */
  async reevaluate(capability: string): Promise<void> {
    const chain = this.opts.chains?.().find((c) => c.capability === capability);
    if (chain) await this.evaluate(chain, new Map());
  }

  private async evaluate(chain: MonitoredChain, probes: ReadonlyMap<string, HealthCheckResult>): Promise<void> {
    const history = new Map<string, HealthCheckResult[]>();
    for (const p of chain.providers) {
      history.set(p.name, await this.registry.getHealthHistory({ provider: p.name, capability: chain.capability, limit: 20 }));
    }
    const backlog = (await this.opts.backlog?.().catch(() => undefined))?.[chain.capability];
    const current = evaluateChain(chain, {
      now: this.clock.now(),
      ...(backlog !== undefined ? { backlog } : {}),
      ...(this.opts.slowThresholdMs !== undefined ? { slowThresholdMs: this.opts.slowThresholdMs } : {}),
      burstThreshold: this.opts.burstThreshold ?? 3,
      probes,
      history,
      ...(this.opts.typeFacts ? { typeFacts: this.opts.typeFacts } : {}),
    });
    const extra = await this.opts.extraRecommendations?.(chain.capability).catch((error: unknown) => {
      this.logger.warn({ capability: chain.capability, reason: (error as Error).message }, 'could not derive the extra recommendations');
      return [];
    });
    current.push(...(extra ?? []));
    await this.registry.reconcileRecommendations(
      chain.capability,
      chain.providers.map((p) => p.name),
      current,
    );
  }

  private async saveSnapshots(chains: readonly MonitoredChain[]): Promise<void> {
    const records = healthSnapshots(chains, this.clock.now());
    if (records.length) await this.registry.store.saveSnapshots(records);
  }
}

function toResult(o: ProbeOutcomeLike, p: MonitoredProvider): HealthCheckResult {
  const r: HealthCheckResult = {
    provider: o.provider,
    capability: o.capability,
    timestamp: o.at,
    success: o.ok && o.skipped === undefined,
    latencyMs: Math.round(o.latencyMs),
    source: 'probe',
    health: p.status().toJSON().health,
  };
  if (o.skipped) r.skipped = o.skipped;
  if (o.error) r.error = { ...o.error };
  if (o.metadata) r.metadata = o.metadata;
  if (o.warnings?.length) r.warnings = [...o.warnings];
  return r;
}
