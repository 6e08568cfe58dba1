/**
 * SelfCheckRegistry: health-check history, recommendations (deduplicated, auto-resolved) and
 * the status report, kept in a Store so another process sees the same picture.
 */
import { systemClock, type Clock } from '../core/clock.js';
import type { ProviderStatusJSON } from '../core/health.js';
import { MemoryStore } from '../store/memory/memory-store.js';
import { SEVERITY_RANK, type EventRecord, type HealthQuery, type RecommendationQuery } from '../store/records.js';
import type { Store } from '../store/store.js';
import type { AlertSink, AlertType } from './alerts/alert.js';
import { aggregateChecks } from './metrics.js';
import { CHAIN_PROVIDER } from './recommendations/chain-rules.js';
import type { ChainStatusLike } from './sources.js';
import { buildStatusReport, chainsFromSnapshots } from './status-report.js';
import type { HealthCheckResult, ProviderMetrics, ProviderRecommendation, RecommendationInput, StatusReport } from './types.js';

export interface SelfCheckRegistryOptions {
  store?: Store;
  clock?: Clock;
  alerts?: AlertSink;
  /** How much history the report and metrics read. Default 10,000. */
  historyWindow?: number;
}

export interface RecordedRecommendation {
  record: ProviderRecommendation;
  alert?: AlertType;
}

export class SelfCheckRegistry {
  readonly store: Store;
  private readonly clock: Clock;
  private readonly alerts: AlertSink | undefined;
  private readonly historyWindow: number;

  constructor(opts: SelfCheckRegistryOptions = {}) {
    this.clock = opts.clock ?? systemClock;
    this.store = opts.store ?? new MemoryStore({ clock: this.clock });
    this.alerts = opts.alerts;
    this.historyWindow = opts.historyWindow ?? 10_000;
  }

  async recordHealthCheck(result: HealthCheckResult): Promise<void> {
    await this.store.appendHealthChecks([result]);
  }

  async recordHealthChecks(results: readonly HealthCheckResult[]): Promise<void> {
    if (results.length) await this.store.appendHealthChecks(results);
  }

  async recordEvent(event: EventRecord): Promise<number> {
    return this.store.appendEvent(event);
  }

  /** Opens, updates (occurrences + 1) or reopens the recommendation; alerts on transitions into warning/critical. */
  async recordRecommendation(input: RecommendationInput): Promise<RecordedRecommendation> {
    const now = this.clock.now();
    const existing = await this.store.getRecommendation(input.provider, input.capability, input.issueKey);
    let alert: AlertType | undefined;
    let record: ProviderRecommendation;
    if (!existing) {
      record = { ...input, firstSeen: now, lastSeen: now, occurrences: 1, resolvedAt: null };
      if (input.severity !== 'info') alert = 'recommendation.opened';
    } else {
      record = { ...existing, ...input, lastSeen: now, occurrences: existing.occurrences + 1, resolvedAt: null };
      if (input.severity !== 'info') {
        if (existing.resolvedAt !== null) alert = 'recommendation.opened';
        else if (SEVERITY_RANK[input.severity] < SEVERITY_RANK[existing.severity]) alert = 'recommendation.escalated';
      }
    }
    await this.store.upsertRecommendation(record);
    if (alert) this.alerts?.notify({ type: alert, at: now, recommendation: record });
    return alert ? { record, alert } : { record };
  }

  async resolveRecommendation(provider: string, capability: string, issueKey: string): Promise<ProviderRecommendation | undefined> {
    const existing = await this.store.getRecommendation(provider, capability, issueKey);
    if (!existing || existing.resolvedAt !== null) return undefined;
    const now = this.clock.now();
    const record = { ...existing, resolvedAt: now };
    await this.store.upsertRecommendation(record);
    if (record.severity !== 'info') this.alerts?.notify({ type: 'recommendation.resolved', at: now, recommendation: record });
    return record;
  }

  /**
   * Records the recommendations that apply now for the evaluated providers of one capability
   * (and its chain-level ones) and resolves every other active one in that scope.
   */
  async reconcileRecommendations(capability: string, providers: readonly string[], current: readonly RecommendationInput[]): Promise<void> {
    const seen = new Set<string>();
    for (const rec of current) {
      seen.add(`${rec.provider}\u0000${rec.issueKey}`);
      await this.recordRecommendation(rec);
    }
    const scope = new Set([...providers, CHAIN_PROVIDER]);
    for (const r of await this.store.queryRecommendations({ capability })) {
      if (scope.has(r.provider) && !seen.has(`${r.provider}\u0000${r.issueKey}`)) {
        await this.resolveRecommendation(r.provider, r.capability, r.issueKey);
      }
    }
  }

  getHealthHistory(query: HealthQuery = {}): Promise<HealthCheckResult[]> {
    return this.store.queryHealthChecks(query);
  }

  getRecommendations(query: RecommendationQuery = {}): Promise<ProviderRecommendation[]> {
    return this.store.queryRecommendations(query);
  }

  async getProviderMetrics(provider: string, capability?: string): Promise<ProviderMetrics> {
    const q: HealthQuery = { provider, limit: this.historyWindow };
    if (capability !== undefined) q.capability = capability;
    return aggregateChecks(await this.store.queryHealthChecks(q));
  }

  /** The status report; without live chains, provider statuses come from the stored snapshots. */
  async getStatusReport(opts: { chains?: readonly ChainStatusLike[]; recentLimit?: number } = {}): Promise<StatusReport> {
    let chains = opts.chains;
    if (!chains) {
      const statuses = (await this.store.loadSnapshots()).map((s) => s.status).filter((s): s is ProviderStatusJSON => !!s);
      chains = chainsFromSnapshots(statuses, this.clock.now());
    }
    const [history, checksRecorded, recommendations] = await Promise.all([
      this.store.queryHealthChecks({ limit: this.historyWindow }),
      this.store.countHealthChecks(),
      this.store.queryRecommendations(),
    ]);
    return buildStatusReport({
      now: this.clock.now(),
      chains,
      history,
      checksRecorded,
      recentLimit: opts.recentLimit ?? 20,
      recommendations,
    });
  }

  async clearHistory(): Promise<void> {
    await this.store.clearHistory();
  }

  async flushAlerts(): Promise<void> {
    await this.alerts?.flush();
  }
}
