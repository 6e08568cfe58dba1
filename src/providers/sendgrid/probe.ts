/** SendGrid probe: `GET /v3/scopes` reads the key's scopes and sends nothing; the key must hold `mail.send`. */
import { GatewayError } from '../../core/errors.js';
import type { ProbeResult } from '../../core/provider.js';
import { httpRequest } from '../http/client.js';
import { mapSendGridError } from './errors.js';

export interface SendGridProbeInput {
  base: string;
  apiKey: string;
  provider: string;
  signal: AbortSignal;
  now: number;
}

export async function probeSendGrid(input: SendGridProbeInput): Promise<ProbeResult> {
  const res = await httpRequest({
    method: 'GET',
    url: `${input.base}/v3/scopes`,
    headers: { authorization: `Bearer ${input.apiKey}` },
    signal: input.signal,
    provider: input.provider,
    sideEffects: false,
    secrets: [input.apiKey],
    urlOption: 'baseUrl',
  });
  const scopes = (res.json as { scopes?: unknown } | undefined)?.scopes;
  if (res.status !== 200 || !Array.isArray(scopes)) {
    throw mapSendGridError(res, { provider: input.provider, now: input.now, secrets: [input.apiKey], fromOption: false });
  }
  if (!scopes.includes('mail.send')) {
    throw new GatewayError('GW_PROVIDER_AUTH', 'The SendGrid API key has no mail.send scope', {
      provider: input.provider,
      status: 200,
      details: { scopes: scopes.length },
    });
  }
  return { metadata: { scopes: scopes.length } };
}
