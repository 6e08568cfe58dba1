/** The mapping from breaker, cool-down and window to ProviderHealth, with the reason. */
import type { FailureKind } from './errors.js';
import { ProviderHealth, type BreakerState } from './health.js';
import type { HealthPolicy } from './policy.js';
import type { WindowTotals } from './window.js';

export interface HealthInputs {
  configured: boolean;
  breakerState: BreakerState;
  /** Why the circuit is open, when it is. */
  openReason: string | null;
  cooling: FailureKind | null;
  totals: Readonly<WindowTotals>;
  consecutiveFailures: number;
}

export function deriveHealth(i: HealthInputs, p: HealthPolicy): { health: ProviderHealth; reason: string } {
  if (!i.configured) return { health: ProviderHealth.UNKNOWN, reason: 'not configured' };
  switch (i.breakerState) {
    case 'isolated':
      return { health: ProviderHealth.UNHEALTHY, reason: 'isolated by operator' };
    case 'open':
      return { health: ProviderHealth.UNHEALTHY, reason: i.openReason ? `circuit open: ${i.openReason}` : 'circuit open' };
    case 'half_open':
      return { health: ProviderHealth.DEGRADED, reason: 'circuit half-open: the next real call decides' };
    default:
  }
  if (i.cooling === 'quota') return { health: ProviderHealth.UNHEALTHY, reason: 'quota exhausted until reset' };
  if (i.cooling === 'rate_limited') return { health: ProviderHealth.DEGRADED, reason: 'rate limited: cooling down' };
  const { calls, failures, slow } = i.totals;
  if (calls < p.minimumCalls)
    return { health: ProviderHealth.UNKNOWN, reason: calls === 0 ? 'no calls in the window' : 'too few calls in the window' };
  const failureRate = failures / calls;
  if (failureRate >= p.degradedFailureRate)
    return { health: ProviderHealth.DEGRADED, reason: `failure rate ${Math.round(failureRate * 100)}%` };
  if (slow / calls >= p.degradedSlowRate)
    return { health: ProviderHealth.DEGRADED, reason: `slow-call rate ${Math.round((slow / calls) * 100)}%` };
  if (i.consecutiveFailures >= 2) return { health: ProviderHealth.DEGRADED, reason: `${i.consecutiveFailures} consecutive failures` };
  return { health: ProviderHealth.HEALTHY, reason: 'calls succeeding' };
}
