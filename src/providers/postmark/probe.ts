/** Postmark probe: `GET /server` reads the server's settings with its token and sends nothing. */
import type { ProbeResult } from '../../core/provider.js';
import { httpRequest } from '../http/client.js';
import { mapPostmarkError } from './errors.js';

export interface PostmarkProbeInput {
  base: string;
  token: string;
  provider: string;
  signal: AbortSignal;
  now: number;
}

export async function probePostmark(input: PostmarkProbeInput): Promise<ProbeResult> {
  const res = await httpRequest({
    method: 'GET',
    url: `${input.base}/server`,
    headers: { 'x-postmark-server-token': input.token },
    signal: input.signal,
    provider: input.provider,
    sideEffects: false,
    secrets: [input.token],
    urlOption: 'baseUrl',
  });
  const server = res.json as { ID?: unknown; Name?: unknown } | undefined;
  if (res.status !== 200 || typeof server?.ID !== 'number') {
    throw mapPostmarkError(res, { provider: input.provider, now: input.now, secrets: [input.token], fromOption: false });
  }
  return { metadata: { serverId: server.ID, ...(typeof server.Name === 'string' ? { server: server.Name } : {}) } };
}
