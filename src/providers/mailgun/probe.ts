/** Mailgun probe: `GET /v3/domains/{domain}` reads the domain's state and sends nothing (needs the primary key). */
import type { ProbeResult } from '../../core/provider.js';
import { httpRequest } from '../http/client.js';
import { mapMailgunError } from './errors.js';

export interface MailgunProbeInput {
  base: string;
  domain: string;
  authorization: string;
  apiKey: string;
  provider: string;
  signal: AbortSignal;
  now: number;
}

export async function probeMailgun(input: MailgunProbeInput): Promise<ProbeResult> {
  const res = await httpRequest({
    method: 'GET',
    url: `${input.base}/v3/domains/${encodeURIComponent(input.domain)}`,
    headers: { authorization: input.authorization },
    signal: input.signal,
    provider: input.provider,
    sideEffects: false,
    secrets: [input.apiKey, input.authorization],
    urlOption: 'baseUrl',
  });
  const domain = (res.json as { domain?: { state?: unknown; is_disabled?: unknown; type?: unknown } } | undefined)?.domain;
  if (res.status !== 200 || typeof domain !== 'object' || domain === null) {
    throw mapMailgunError(res, { provider: input.provider, now: input.now, secrets: [input.apiKey, input.authorization] });
  }
  const warnings: string[] = [];
  if (domain.is_disabled === true) warnings.push(`Mailgun has disabled the domain ${input.domain}: it cannot send`);
  if (domain.state !== 'active')
    warnings.push(`The domain ${input.domain} is ${String(domain.state)} in Mailgun: finish its DNS verification`);
  if (domain.type === 'sandbox') warnings.push(`${input.domain} is a sandbox domain: only authorised recipients receive mail`);
  return { metadata: { state: domain.state, type: domain.type }, ...(warnings.length ? { warnings } : {}) };
}
