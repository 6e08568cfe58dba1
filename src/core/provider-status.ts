/** The status JSON of one provider, assembled from its identity, its call record and its breaker state. */
import type { CallRecord } from './call-record.js';
import type { ProviderStatusJSON } from './health.js';

type Identity = { name: string; type: string; capability: string; configured: boolean };
type LiveState = Pick<
  ProviderStatusJSON,
  'health' | 'breakerState' | 'openUntil' | 'reopenCount' | 'cooldownUntil' | 'cooldownKind' | 'inFlight' | 'rateLimit' | 'pace'
> & { reason: string };

export function providerStatusJSON(p: Identity, calls: CallRecord, now: number, live: LiveState): ProviderStatusJSON {
  const totals = calls.totals(now);
  const n = totals.calls;
  const { reason, ...state } = live;
  return {
    name: p.name,
    type: p.type,
    capability: p.capability,
    healthReason: reason,
    configured: p.configured,
    latencyMs: calls.emaMs === null ? null : Math.round(calls.emaMs * 100) / 100,
    p50Ms: calls.window.percentile(now, 0.5),
    p95Ms: calls.window.percentile(now, 0.95),
    p99Ms: calls.window.percentile(now, 0.99),
    successCount: calls.successCount,
    failureCount: calls.failureCount,
    consecutiveFailures: calls.consecutiveFailures,
    failingSince: calls.failingSince,
    windowCalls: n,
    successRate: n === 0 ? null : (n - totals.failures) / n,
    slowRate: n === 0 ? null : totals.slow / n,
    lastSuccessAt: calls.lastSuccessAt,
    lastFailureAt: calls.lastFailureAt,
    lastError: calls.lastError ? { ...calls.lastError } : null,
    lastCheckedAt: calls.lastCheckedAt,
    ...state,
  };
}
