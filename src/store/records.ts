/**
 * The records the store keeps. Plain JSON-serialisable data, shared by every store
 * implementation and by the monitoring layer (which re-exports them under its own names).
 */
import type { ErrorCode, FailureKind } from '../core/errors.js';
import type { ProviderHealth, ProviderStatusJSON } from '../core/health.js';

export type Severity = 'critical' | 'warning' | 'info';

/** One health check: an active probe, or a health transition observed on live traffic. */
export interface HealthCheckRecord {
  provider: string;
  capability: string;
  /** Epoch ms when the check finished. */
  timestamp: number;
  success: boolean;
  latencyMs: number;
  /** `probe` = active self-check; `traffic` = a health transition seen on live calls. */
  source: 'probe' | 'traffic';
  /** Set when the provider could not be checked: it has no probe or is not configured. */
  skipped?: 'no_probe' | 'not_configured';
  /** Provider health right after the check, when known. */
  health?: ProviderHealth;
  error?: { code: ErrorCode; kind: FailureKind; message: string; retryAfterMs?: number; option?: string };
  metadata?: Record<string, unknown>;
  warnings?: string[];
}

/** An operator recommendation, deduplicated by (provider, capability, issueKey). */
export interface RecommendationRecord {
  /** Provider name, or `*` for a chain-level recommendation about the whole capability. */
  provider: string;
  capability: string;
  /** Stable machine key of the issue (`auth`, `rate_limited`, `no_redundancy`, ...). */
  issueKey: string;
  severity: Severity;
  /** Provider health when last seen (chain-level: the worst provider health). */
  health: ProviderHealth;
  issue: string;
  action: string;
  firstSeen: number;
  lastSeen: number;
  occurrences: number;
  /** Epoch ms when it was resolved; null while active. */
  resolvedAt: number | null;
}

export interface ProviderSnapshotRecord {
  provider: string;
  capability: string;
  savedAt: number;
  /** The provider's own snapshot (TrackedProvider.snapshot()); opaque to the store. */
  snapshot: unknown;
  /** The provider's status JSON at save time, so another process can show it without the engine. */
  status?: ProviderStatusJSON;
}

/** Audit trail: operator actions, health transitions, alerts. */
export interface EventRecord {
  /** Assigned by the store on append. */
  id?: number;
  at: number;
  type: 'health_transition' | 'admin_action' | 'alert' | (string & {});
  /** Who did it (`cli`, `api:<key id>`, `system`). */
  actor?: string;
  provider?: string;
  capability?: string;
  message: string;
  data?: Record<string, unknown>;
}

export interface HealthQuery {
  provider?: string;
  capability?: string;
  /** Default 100. */
  limit?: number;
  /** Only checks at or after this time. */
  since?: number;
}

export interface RecommendationQuery {
  severity?: Severity;
  provider?: string;
  capability?: string;
  /** Default false: only active recommendations. */
  includeResolved?: boolean;
}

export interface EventQuery {
  type?: string;
  provider?: string;
  limit?: number;
}

/** Key of a recommendation in every store. */
export function recommendationKey(r: Pick<RecommendationRecord, 'provider' | 'capability' | 'issueKey'>): string {
  return `${r.provider}\u0000${r.capability}\u0000${r.issueKey}`;
}

export const SEVERITY_RANK: Record<Severity, number> = { critical: 0, warning: 1, info: 2 };
