/**
 * Apollo probe: `POST /usage_stats/api_usage_stats` (no credits). That endpoint needs a master
 * key, so a 403/404 there falls back to `GET /auth/health` (`{"healthy":true,"is_logged_in":true}`,
 * [unverified]); a 401 is an auth failure at once.
 */
import { GatewayError } from '../../core/errors.js';
import type { ProbeResult } from '../../core/provider.js';
import type { HttpResponse } from '../http/client.js';
import { mapApolloError } from './errors.js';

/** One authenticated call to the Apollo API (endpoint relative to the base URL). */
export type ApolloCall = (method: 'GET' | 'POST', endpoint: string, body: unknown, signal: AbortSignal) => Promise<HttpResponse>;

export interface ApolloProbeInput {
  provider: string;
  signal: AbortSignal;
  now: number;
  secrets: readonly (string | undefined)[];
}

export async function probeApollo(call: ApolloCall, input: ApolloProbeInput): Promise<ProbeResult> {
  const map = (res: HttpResponse, endpoint: string): GatewayError =>
    mapApolloError(res, { provider: input.provider, now: input.now, secrets: input.secrets, endpoint });
  const usage = await call('POST', '/usage_stats/api_usage_stats', {}, input.signal);
  if (usage.status === 200 && typeof usage.json === 'object' && usage.json !== null) {
    // The usage stats count requests per rate window; they say nothing of the credit balance, so
    // this probe never reports quotaAvailable (an "insufficient credits" cool-down runs its course).
    return { metadata: { check: 'usage_stats', ...matchUsage(usage.json as Record<string, unknown>) } };
  }
  if (usage.status !== 403 && usage.status !== 404) throw map(usage, '/usage_stats/api_usage_stats');
  const health = await call('GET', '/auth/health', undefined, input.signal);
  const h = health.json as { is_logged_in?: unknown; healthy?: unknown } | undefined;
  if (health.status === 200 && h?.is_logged_in === true) {
    return {
      metadata: { check: 'auth_health' },
      warnings: ['This key cannot read usage stats (not a master key): only people/match access is exercised by real calls.'],
    };
  }
  if (health.status === 200)
    throw new GatewayError('GW_PROVIDER_AUTH', 'Apollo /auth/health reports the key is not logged in', {
      provider: input.provider,
      status: 200,
    });
  throw map(health, '/auth/health');
}

/** Picks the people/match counters out of the usage stats, when present. */
function matchUsage(stats: Record<string, unknown>): Record<string, unknown> {
  const key = Object.keys(stats).find((k) => k.includes('people') && k.includes('match') && !k.includes('bulk'));
  const entry = key ? (stats[key] as Record<string, { left_over?: unknown } | undefined>) : undefined;
  if (!entry) return {};
  const left = (w: string): number | undefined => (typeof entry[w]?.left_over === 'number' ? entry[w].left_over : undefined);
  const out: Record<string, unknown> = {};
  for (const w of ['minute', 'hour', 'day']) if (left(w) !== undefined) out[`${w}Left`] = left(w);
  return out;
}
