/** What the rules know about one provider when they run. */
import type { ProviderStatusJSON } from '../../core/health.js';
import type { RecommendationHints } from '../../providers/types.js';
import type { HealthCheckResult } from '../types.js';

export interface ProviderTypeFacts {
  secrets: readonly string[];
  required: readonly string[];
}

export interface ProviderRuleContext {
  provider: string;
  type: string;
  capability: string;
  /** Position in the configured chain: names the config key path. */
  index: number;
  status: ProviderStatusJSON;
  hints: RecommendationHints;
  facts: ProviderTypeFacts;
  /** The missing setting reported by the engine for an unconfigured provider. */
  missingSetting?: string;
  /** The `${VAR}` each option came from (option path -> variable name). */
  optionVariables?: Readonly<Record<string, string>>;
  /** This provider's kept checks, newest first. */
  history: readonly HealthCheckResult[];
  /** The outcome of this provider's probe in the run being evaluated, if any. */
  probe?: HealthCheckResult;
  /** Other providers of the chain that are usable now. */
  usableOthers: readonly string[];
  now: number;
  slowThresholdMs: number;
  /** Consecutive failures that make a transient failure an outage. */
  burstThreshold: number;
}

export function optionsPath(ctx: Pick<ProviderRuleContext, 'capability' | 'index'>, field?: string): string {
  const base = `capabilities.${ctx.capability}.providers[${ctx.index}].options`;
  return field ? `${base}.${field}` : base;
}

/** The provider type's own hint for this kind, with `{provider}` filled in. */
export function hintFor(ctx: ProviderRuleContext, key: keyof RecommendationHints): string | undefined {
  const text = ctx.hints[key];
  return text?.replaceAll('{provider}', ctx.provider);
}

export function iso(ms: number): string {
  return new Date(ms).toISOString().replace('.000Z', 'Z');
}

export function duration(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000));
  if (s < 120) return `${s}s`;
  const m = Math.round(s / 60);
  if (m < 120) return `${m}m`;
  return `${Math.round(m / 60)}h`;
}
