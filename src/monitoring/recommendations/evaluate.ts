/** Runs every rule over one chain and returns the recommendations that apply now. */
import type { ProviderStatusJSON } from '../../core/health.js';
import { DEFAULT_BREAKER } from '../../core/policy.js';
import { getProviderType } from '../../providers/index.js';
import type { MonitoredChain } from '../sources.js';
import type { HealthCheckResult, RecommendationInput } from '../types.js';
import { chainRecommendations } from './chain-rules.js';
import { providerRecommendations } from './provider-rules.js';
import type { ProviderTypeFacts } from './rule-context.js';

export interface EvaluateOptions {
  now: number;
  /** Deliveries the outbox holds for this capability. */
  backlog?: number;
  /** Overrides every provider's own slow-call threshold (breaker.slowCallMs). */
  slowThresholdMs?: number;
  burstThreshold: number;
  /** This run's probe results by provider name. */
  probes?: ReadonlyMap<string, HealthCheckResult>;
  /** Kept history by provider name, newest first. */
  history: ReadonlyMap<string, readonly HealthCheckResult[]>;
  /** Provider type facts (secret and required option paths); defaults to the provider type registry. */
  typeFacts?: (type: string) => ProviderTypeFacts;
}

const FAILING_KEYS = new Set(['auth', 'misconfigured', 'rate_limited', 'quota', 'timeout', 'transient']);

export function evaluateChain(chain: MonitoredChain, opts: EvaluateOptions): RecommendationInput[] {
  const statuses = chain.providers.map((p) => p.status().toJSON());
  const report = chain.getStatusReport();
  const usable =
    report.usableProviders === 0
      ? []
      : chain.providers
          .filter((p, i) => (p.unavailable ? p.unavailable(opts.now) === null : isUsable(statuses[i]!, opts.now)))
          .map((p) => p.name);
  const facts = opts.typeFacts ?? defaultTypeFacts;
  const out: RecommendationInput[] = [];
  const failing = new Set<string>();
  chain.providers.forEach((p, index) => {
    const probe = opts.probes?.get(p.name);
    const recs = providerRecommendations({
      provider: p.name,
      type: p.type,
      capability: chain.capability,
      index,
      status: statuses[index]!,
      hints: p.hints,
      facts: facts(p.type),
      ...(p.missingSetting ? { missingSetting: p.missingSetting } : {}),
      ...(p.optionVariables ? { optionVariables: p.optionVariables } : {}),
      history: opts.history.get(p.name) ?? [],
      ...(probe ? { probe } : {}),
      usableOthers: usable.filter((n) => n !== p.name),
      now: opts.now,
      slowThresholdMs: opts.slowThresholdMs ?? p.slowCallMs ?? DEFAULT_BREAKER.slowCallMs,
      burstThreshold: opts.burstThreshold,
    });
    if (recs.some((r) => FAILING_KEYS.has(r.issueKey))) failing.add(p.name);
    out.push(...recs);
  });
  out.push(...chainRecommendations(chain.capability, statuses, usable, failing, opts.backlog));
  return out;
}

/** Whether the chain may route to the provider now (an open circuit past its time admits a probe). */
export function isUsable(s: ProviderStatusJSON, now: number): boolean {
  if (!s.configured || s.breakerState === 'isolated') return false;
  if (s.breakerState === 'open' && (s.openUntil === null || s.openUntil > now)) return false;
  if (s.cooldownUntil !== null && s.cooldownUntil > now) return false;
  return s.health !== 'UNHEALTHY' || s.breakerState === 'forced_closed';
}

function defaultTypeFacts(type: string): ProviderTypeFacts {
  const def = getProviderType(type);
  return { secrets: def?.secrets ?? [], required: def?.required ?? [] };
}
