/**
 * Graph API usage headers: `X-App-Usage` / `X-Page-Usage` (`{"call_count":28,"total_time":25,
 * "total_cputime":25}`, percent of the limit) and `X-Business-Use-Case-Usage`
 * (`{"<id>":[{"type":"pages","call_count":…,"estimated_time_to_regain_access":<minutes>}]}`).
 */
import type { RateLimitState } from '../../core/provider.js';

export interface GraphUsage {
  /** The answer carried at least one usage header. */
  reported: boolean;
  /** Highest percentage found in any usage header (0 when none). */
  maxPercent: number;
  /** Longest `estimated_time_to_regain_access`, in milliseconds, when any is above zero. */
  regainAccessMs?: number;
}

const PERCENT_KEYS = ['call_count', 'total_time', 'total_cputime'];

function parse(value: string | null): unknown {
  if (!value) return undefined;
  try {
    return JSON.parse(value);
  } catch {
    return undefined;
  }
}

function percentOf(entry: unknown): number {
  if (typeof entry !== 'object' || entry === null) return 0;
  return Math.max(0, ...PERCENT_KEYS.map((k) => Number((entry as Record<string, unknown>)[k]) || 0));
}

export function readUsage(headers: Headers): GraphUsage {
  const reported = ['x-app-usage', 'x-page-usage', 'x-business-use-case-usage'].some((h) => headers.get(h) !== null);
  let maxPercent = Math.max(percentOf(parse(headers.get('x-app-usage'))), percentOf(parse(headers.get('x-page-usage'))));
  let regainMinutes = 0;
  const buc = parse(headers.get('x-business-use-case-usage'));
  if (typeof buc === 'object' && buc !== null) {
    for (const entries of Object.values(buc)) {
      for (const entry of Array.isArray(entries) ? entries : []) {
        maxPercent = Math.max(maxPercent, percentOf(entry));
        regainMinutes = Math.max(regainMinutes, Number((entry as Record<string, unknown>).estimated_time_to_regain_access) || 0);
      }
    }
  }
  return regainMinutes > 0 ? { reported, maxPercent, regainAccessMs: regainMinutes * 60_000 } : { reported, maxPercent };
}

/** The usage as the engine's RateLimitState: percent of the limit left; the reset only when Graph estimates one. */
export function graphRateLimit(usage: GraphUsage, now: number): RateLimitState | undefined {
  if (!usage.reported) return undefined;
  const resetAt = usage.regainAccessMs === undefined ? null : now + usage.regainAccessMs;
  return { window: 'usage%', remaining: Math.max(0, 100 - usage.maxPercent), limit: 100, resetAt };
}
