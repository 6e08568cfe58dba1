/** Provider health, the status snapshot of one provider, and the health ranks (the mapping is in health-rules.ts). */
import type { ErrorCode, FailureKind } from './errors.js';
import type { RateLimitState } from './provider.js';

export const ProviderHealth = {
  HEALTHY: 'HEALTHY',
  DEGRADED: 'DEGRADED',
  UNHEALTHY: 'UNHEALTHY',
  UNKNOWN: 'UNKNOWN',
} as const;
export type ProviderHealth = (typeof ProviderHealth)[keyof typeof ProviderHealth];

/** `isolated` and `forced_closed` are operator overrides. */
export type BreakerState = 'closed' | 'open' | 'half_open' | 'isolated' | 'forced_closed';

export interface LastError {
  code: ErrorCode;
  kind: FailureKind;
  /** Message as produced by the adapter boundary: never carries a secret. */
  message: string;
  at: number;
  /** The provider option at fault (`url`, `version`, `baseId`), from the adapter's details.option. */
  option?: string;
}

export interface ProviderStatusJSON {
  name: string;
  type: string;
  capability: string;
  health: ProviderHealth;
  /** Why the health is what it is, in a few words. */
  healthReason: string;
  configured: boolean;
  /** Exponential moving average of attempt latency, ms; null before the first call. */
  latencyMs: number | null;
  p50Ms: number | null;
  p95Ms: number | null;
  p99Ms: number | null;
  /** Totals since start (or restore). */
  successCount: number;
  failureCount: number;
  consecutiveFailures: number;
  /** First failure of the current streak (null when the last call succeeded): "failing since". */
  failingSince: number | null;
  /** Over the sliding window. */
  windowCalls: number;
  successRate: number | null;
  slowRate: number | null;
  lastSuccessAt: number | null;
  lastFailureAt: number | null;
  lastError: LastError | null;
  lastCheckedAt: number | null;
  breakerState: BreakerState;
  /** When an open circuit admits a half-open probe. */
  openUntil: number | null;
  /** How often the circuit re-opened in a row (drives the growing open duration). */
  reopenCount: number;
  /** Rate-limit / quota cool-down from the provider's own reset signal. */
  cooldownUntil: number | null;
  cooldownKind: FailureKind | null;
  inFlight: number;
  /** The provider's own rate-limit state from its last answer that carried one (null: never said). */
  rateLimit: (RateLimitState & { observedAt: number }) | null;
  /** The pace in force (declared, narrowed by what the provider said; null: none) and the calls waiting for a turn. */
  pace: { ratePerSecond: number | null; waiting: number };
}

export class ProviderStatus {
  constructor(private readonly data: Readonly<ProviderStatusJSON>) {}

  get name(): string {
    return this.data.name;
  }
  get health(): ProviderHealth {
    return this.data.health;
  }

  isHealthy(): boolean {
    return this.data.health === ProviderHealth.HEALTHY;
  }

  toJSON(): ProviderStatusJSON {
    return { ...this.data, lastError: this.data.lastError ? { ...this.data.lastError } : null };
  }
}

/** Order used by the priority strategy and by reports: healthy first. */
export const HEALTH_RANK: Record<ProviderHealth, number> = { HEALTHY: 0, UNKNOWN: 1, DEGRADED: 2, UNHEALTHY: 3 };

/** Gauge value used by metrics: 0 healthy, 1 degraded, 2 unhealthy, 3 unknown. */
export const HEALTH_GAUGE: Record<ProviderHealth, number> = { HEALTHY: 0, DEGRADED: 1, UNHEALTHY: 2, UNKNOWN: 3 };
