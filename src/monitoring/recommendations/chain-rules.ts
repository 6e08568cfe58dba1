/**
 * Chain-level rules: redundancy and whether the capability is up. A successful fallback must
 * not hide a failing primary. Chain-level recommendations use provider `*`.
 */
import { HEALTH_RANK, type ProviderHealth, type ProviderStatusJSON } from '../../core/health.js';
import type { RecommendationInput } from '../types.js';

export const CHAIN_PROVIDER = '*';

export function chainRecommendations(
  capability: string,
  providers: readonly ProviderStatusJSON[],
  usable: readonly string[],
  failing: ReadonlySet<string>,
  /** Deliveries the outbox holds for this capability, when known. */
  backlog?: number,
): RecommendationInput[] {
  const out: RecommendationInput[] = [];
  const worst = providers.reduce<ProviderHealth>((w, p) => (HEALTH_RANK[p.health] > HEALTH_RANK[w] ? p.health : w), 'HEALTHY');
  const add = (issueKey: string, severity: RecommendationInput['severity'], issue: string, action: string): void => {
    out.push({ provider: CHAIN_PROVIDER, capability, issueKey, severity, health: worst, issue, action });
  };
  if (providers.length === 0) return out;

  if (usable.length === 0) {
    const held = backlog === undefined ? '' : `; ${backlog} deliver${backlog === 1 ? 'y waits' : 'ies wait'} in the outbox`;
    add(
      'capability_down',
      'critical',
      `Capability down: none of ${providers.length} provider(s) is usable${held}`,
      `Fix what the recommendations of ${providers.map((p) => p.name).join(', ')} name (credentials, quota, outage, configuration), or add a working provider under capabilities.${capability}.providers.${backlog ? ' Queued deliveries are sent once a provider is usable again.' : ''}`,
    );
    return out;
  }
  // Redundancy counts providers that are usable and not in a fault episode: a failing provider whose
  // circuit a probe moved to half-open is routable for one trial, not a standby to rely on.
  const standing = usable.filter((n) => !failing.has(n));
  if (standing.length === 1 && providers.length > 1) {
    add(
      'no_redundancy',
      'warning',
      `No redundancy: only ${standing[0]} is usable out of ${providers.length}`,
      'Restore the failing providers so a failure of the last one does not take the capability down.',
    );
  } else if (providers.length === 1) {
    add(
      'single_provider',
      'info',
      'Configured with a single provider: no failover possible',
      `Add a second provider under capabilities.${capability}.providers for redundancy.`,
    );
  }
  const primary = providers[0]!;
  if (failing.has(primary.name) && usable.some((n) => n !== primary.name)) {
    const serving = usable.filter((n) => n !== primary.name).join(', ');
    add(
      'primary_failing',
      'warning',
      `Primary ${primary.name} is failing while the chain succeeds through ${serving}`,
      `Traffic runs on a fallback: fix ${primary.name} (see its recommendation) or reorder the providers.`,
    );
  }
  return out;
}
