/**
 * Ordering strategies: which provider to try first. `priority` orders by health (HEALTHY,
 * UNKNOWN, DEGRADED, UNHEALTHY), then by configured order. The load-sharing strategies treat
 * HEALTHY and UNKNOWN as one tier (an unmeasured provider must get traffic to be measured),
 * then DEGRADED, then UNHEALTHY, and reorder inside the first tier. A provider due for a
 * recovery trial (half-open, or demoted by old failures) ranks as healthy for that one call.
 * With overflow `wait`, a provider that is only busy (a rate-limit reset it announced) keeps
 * its place: calls wait for it rather than spill to the next provider.
 */
import { HEALTH_RANK, type ProviderHealth } from './health.js';
import type { OrderingStrategy } from './policy.js';
import type { TrackedProvider } from './tracked-provider.js';

export interface OrderingState {
  counter: number;
  random: () => number;
  latencyTolerance: number;
  /** Overflow `wait`: a provider cooling down after a rate limit ranks as healthy. */
  busyKeepsPlace: boolean;
}

export function orderProviders(
  strategy: OrderingStrategy,
  providers: readonly TrackedProvider[],
  now: number,
  state: OrderingState,
): readonly TrackedProvider[] {
  const n = providers.length;
  if (n < 2) return providers;
  const rankOf = strategy === 'priority' ? HEALTH_RANK : SHARING_RANK;
  const ranks = providers.map((p) => rankOf[orderingHealth(p, now, state.busyKeepsPlace)]);
  const idx = Array.from({ length: n }, (_, i) => i);
  idx.sort((a, b) => ranks[a]! - ranks[b]! || a - b);
  const ordered = idx.map((i) => providers[i]!);
  if (strategy === 'priority') return ordered;
  // The best tier is the run of equal rank at the front; strategies reorder inside it.
  let tierEnd = 1;
  while (tierEnd < n && ranks[idx[tierEnd]!] === ranks[idx[0]!]) tierEnd++;
  return [...reorderTier(strategy, ordered.slice(0, tierEnd), state), ...ordered.slice(tierEnd)];
}

/** A provider due for a recovery trial (or, when busy keeps its place, only rate limited) ranks as healthy. */
function orderingHealth(p: TrackedProvider, now: number, busyKeepsPlace: boolean): ProviderHealth {
  if (p.trialDue(now) || (busyKeepsPlace && p.rateLimitedUntil(now) !== null)) return 'HEALTHY';
  return p.healthAt(now).health;
}

const SHARING_RANK: Record<ProviderHealth, number> = { HEALTHY: 0, UNKNOWN: 0, DEGRADED: 1, UNHEALTHY: 2 };

function reorderTier(strategy: OrderingStrategy, tier: TrackedProvider[], state: OrderingState): TrackedProvider[] {
  if (tier.length < 2) return tier;
  switch (strategy) {
    case 'round_robin':
      return rotate(tier, state.counter++ % tier.length);
    case 'weighted': {
      const total = tier.reduce((s, p) => s + Math.max(0, p.weight), 0);
      if (total <= 0) return tier;
      let pick = state.random() * total;
      let chosen = 0;
      for (let i = 0; i < tier.length; i++) {
        pick -= Math.max(0, tier[i]!.weight);
        if (pick < 0) {
          chosen = i;
          break;
        }
      }
      return [tier[chosen]!, ...tier.filter((_, i) => i !== chosen)];
    }
    case 'lowest_latency': {
      // Unmeasured providers count as fastest so they get measured.
      const lat = (p: TrackedProvider): number => p.latencyEma ?? 0;
      const sorted = [...tier].sort((a, b) => lat(a) - lat(b));
      const best = lat(sorted[0]!);
      const bandEnd = sorted.findIndex((p) => lat(p) > best * (1 + state.latencyTolerance) + 1);
      const band = bandEnd === -1 ? sorted : sorted.slice(0, bandEnd);
      const others = bandEnd === -1 ? [] : sorted.slice(bandEnd);
      return [...rotate(band, state.counter++ % band.length), ...others];
    }
    default:
      return tier;
  }
}

function rotate<T>(items: T[], by: number): T[] {
  return by === 0 ? items : [...items.slice(by), ...items.slice(0, by)];
}
