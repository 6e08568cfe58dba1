/** The monitoring vocabulary. The records themselves live in the store layer. */
import type { BreakerState, LastError, ProviderHealth } from '../core/health.js';
import type { HealthCheckRecord, RecommendationRecord, Severity } from '../store/records.js';

export type { Severity } from '../store/records.js';
export type HealthCheckResult = HealthCheckRecord;
export type ProviderRecommendation = RecommendationRecord;

/** What a rule produces; the registry adds first/last seen, occurrences and resolution. */
export interface RecommendationInput {
  provider: string;
  capability: string;
  issueKey: string;
  severity: Severity;
  health: ProviderHealth;
  issue: string;
  action: string;
}

/** Aggregates over the kept history of one provider. */
export interface ProviderMetrics {
  checks: number;
  successRate: number | null;
  meanLatencyMs: number | null;
  p95LatencyMs: number | null;
}

export interface ProviderReport {
  name: string;
  type: string;
  health: ProviderHealth;
  healthReason: string;
  configured: boolean;
  breakerState: BreakerState;
  /** EMA of attempt latency from the engine, ms. */
  latencyMs: number | null;
  p95Ms: number | null;
  openUntil: number | null;
  cooldownUntil: number | null;
  lastError: LastError | null;
  lastCheckedAt: number | null;
  /** Over the health-check history kept in the store. */
  metrics: ProviderMetrics;
}

export type Overall = 'healthy' | 'warning' | 'critical';

export interface CapabilityReport {
  capability: string;
  sideEffects: boolean;
  strategy: string;
  usableProviders: number;
  /** `ok`: every provider healthy; `degraded`: serving with problems; `down`: no usable provider. */
  status: 'ok' | 'degraded' | 'down';
  providers: ProviderReport[];
}

export interface StatusReport {
  generatedAt: number;
  summary: {
    providersTracked: number;
    checksRecorded: number;
    successRate: number | null;
    activeRecommendations: Record<Severity, number> & { total: number };
    overall: Overall;
  };
  capabilities: CapabilityReport[];
  recentChecks: HealthCheckResult[];
  recommendations: ProviderRecommendation[];
}
