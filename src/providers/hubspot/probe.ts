/** HubSpot probe: `GET /crm/v3/objects/{object}?limit=1` (needs the read scope, writes nothing). */
import type { ProbeResult } from '../../core/provider.js';
import { httpRequest } from '../http/client.js';
import { mapHubSpotError } from './errors.js';

export interface HubSpotProbeInput {
  base: string;
  token: string;
  provider: string;
  signal: AbortSignal;
  now: number;
}

export async function probeHubSpot(input: HubSpotProbeInput): Promise<ProbeResult> {
  const res = await httpRequest({
    method: 'GET',
    url: `${input.base}?limit=1`,
    headers: { authorization: `Bearer ${input.token}` },
    signal: input.signal,
    provider: input.provider,
    sideEffects: false,
    secrets: [input.token],
  });
  const json = res.json as { results?: unknown } | undefined;
  if (res.status !== 200 || !Array.isArray(json?.results)) {
    throw mapHubSpotError(res, { provider: input.provider, now: input.now, secrets: [input.token], objectFromRequest: false });
  }
  const num = (name: string): number | undefined => {
    const v = res.headers.get(name);
    return v !== null && /^\d+$/.test(v) ? Number(v) : undefined;
  };
  const metadata: Record<string, unknown> = {};
  const daily = num('x-hubspot-ratelimit-daily-remaining');
  const interval = num('x-hubspot-ratelimit-remaining');
  if (daily !== undefined) metadata.dailyRemaining = daily;
  if (interval !== undefined) metadata.intervalRemaining = interval;
  const warnings = daily === 0 ? ['The daily API limit is spent: writes fail until midnight (account time zone).'] : [];
  return { metadata, ...(warnings.length ? { warnings } : {}) };
}
