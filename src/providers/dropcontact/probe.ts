/**
 * Dropcontact probe: `GET /v1/account/credits` (uses no credit). 401 -> auth. Zero credits
 * fails the probe as `quota`: every enrichment that finds an email would be refused (403).
 * Credits above zero end a quota cool-down at once (`quotaAvailable`).
 */
import { GatewayError } from '../../core/errors.js';
import type { ProbeResult } from '../../core/provider.js';
import type { HttpResponse } from '../http/client.js';
import type { DropcontactCall } from './types.js';

export async function probeDropcontact(
  call: DropcontactCall,
  path: string,
  signal: AbortSignal,
  mapError: (res: HttpResponse, endpoint: string) => GatewayError,
  provider: string,
): Promise<ProbeResult> {
  const res = await call('GET', path, undefined, signal);
  const credits = (res.json as { credits?: unknown } | undefined)?.credits;
  if (res.status !== 200 || typeof credits !== 'number') throw mapError(res, path);
  if (credits <= 0) {
    throw new GatewayError('GW_PROVIDER_QUOTA', 'Dropcontact account has no credits left', { provider, status: 200, details: { credits } });
  }
  return {
    metadata: { credits },
    quotaAvailable: true,
    ...(credits < 10 ? { warnings: [`Only ${credits} Dropcontact credits left`] } : {}),
  };
}
