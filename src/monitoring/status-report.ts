/** Builds the StatusReport from chain statuses, kept history and recommendations. */
import type { ProviderStatusJSON } from '../core/health.js';
import { SEVERITY_RANK } from '../store/records.js';
import { aggregateChecks } from './metrics.js';
import { isUsable } from './recommendations/evaluate.js';
import type { ChainStatusLike } from './sources.js';
import type { CapabilityReport, HealthCheckResult, Overall, ProviderRecommendation, ProviderReport, StatusReport } from './types.js';

export interface StatusReportInput {
  now: number;
  chains: readonly ChainStatusLike[];
  /** Kept history, newest first (bounded by retention). */
  history: readonly HealthCheckResult[];
  checksRecorded: number;
  recentLimit: number;
  recommendations: readonly ProviderRecommendation[];
}

export function buildStatusReport(input: StatusReportInput): StatusReport {
  const byProvider = new Map<string, HealthCheckResult[]>();
  for (const c of input.history) {
    const key = `${c.capability}\u0000${c.provider}`;
    let list = byProvider.get(key);
    if (!list) byProvider.set(key, (list = []));
    list.push(c);
  }
  const active = input.recommendations.filter((r) => r.resolvedAt === null);
  const capabilities: CapabilityReport[] = input.chains.map((chain) => {
    const providers = chain.providers.map((s) => providerReport(s, byProvider.get(`${chain.capability}\u0000${s.name}`) ?? []));
    const usable = chain.usableProviders;
    // A capability is troubled by its active recommendations and by its providers' own health: an
    // UNHEALTHY or DEGRADED provider is never shown under an [OK] capability.
    const troubled =
      active.some((r) => r.capability === chain.capability && r.severity !== 'info') ||
      chain.providers.some((p) => p.configured && (p.health === 'UNHEALTHY' || p.health === 'DEGRADED'));
    return {
      capability: chain.capability,
      sideEffects: chain.sideEffects,
      strategy: chain.strategy,
      usableProviders: usable,
      status: usable === 0 ? 'down' : troubled ? 'degraded' : 'ok',
      providers,
    };
  });
  const counts = { critical: 0, warning: 0, info: 0, total: active.length };
  for (const r of active) counts[r.severity]++;
  const overall: Overall =
    counts.critical > 0 || capabilities.some((c) => c.status === 'down')
      ? 'critical'
      : counts.warning > 0 || capabilities.some((c) => c.status === 'degraded')
        ? 'warning'
        : 'healthy';
  return {
    generatedAt: input.now,
    summary: {
      providersTracked: capabilities.reduce((n, c) => n + c.providers.length, 0),
      checksRecorded: input.checksRecorded,
      successRate: aggregateChecks(input.history).successRate,
      activeRecommendations: counts,
      overall,
    },
    capabilities,
    recentChecks: input.history.slice(0, input.recentLimit),
    recommendations: [...active].sort((a, b) => SEVERITY_RANK[a.severity] - SEVERITY_RANK[b.severity]),
  };
}

function providerReport(s: ProviderStatusJSON, history: readonly HealthCheckResult[]): ProviderReport {
  return {
    name: s.name,
    type: s.type,
    health: s.health,
    healthReason: s.healthReason,
    configured: s.configured,
    breakerState: s.breakerState,
    latencyMs: s.latencyMs === null ? null : Math.round(s.latencyMs),
    p95Ms: s.p95Ms,
    openUntil: s.openUntil,
    cooldownUntil: s.cooldownUntil,
    lastError: s.lastError,
    lastCheckedAt: s.lastCheckedAt,
    metrics: aggregateChecks(history),
  };
}

/** Chain statuses rebuilt from stored provider snapshots, for a process without the engine. */
export function chainsFromSnapshots(statuses: readonly ProviderStatusJSON[], now: number): ChainStatusLike[] {
  const byCap = new Map<string, ProviderStatusJSON[]>();
  for (const s of statuses) {
    let list = byCap.get(s.capability);
    if (!list) byCap.set(s.capability, (list = []));
    list.push(s);
  }
  return [...byCap].map(([capability, providers]) => ({
    capability,
    sideEffects: false,
    strategy: 'unknown',
    usableProviders: providers.filter((s) => isUsable(s, now)).length,
    providers,
  }));
}
