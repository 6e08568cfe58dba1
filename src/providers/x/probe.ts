/** X probe: `GET /2/users/me` with the user token (a read; never a post). */
import { GatewayError } from '../../core/errors.js';
import type { ProbeContext, ProbeResult } from '../../core/provider.js';
import type { Clock } from '../../core/clock.js';
import { httpRequest } from '../http/client.js';
import { mapXError } from './errors.js';
import type { XOptions } from './options.js';

export async function probeX(options: XOptions, ctx: ProbeContext, clock: Clock): Promise<ProbeResult> {
  const token = options.accessToken;
  if (!token) throw new GatewayError('GW_NOT_CONFIGURED', `${ctx.provider}: the accessToken option is not set`, { provider: ctx.provider });
  const res = await httpRequest({
    method: 'GET',
    url: `${options.baseUrl.replace(/\/+$/, '')}/2/users/me`,
    headers: { authorization: `Bearer ${token}` },
    signal: ctx.signal,
    provider: ctx.provider,
    sideEffects: false,
    secrets: [token],
  });
  if (res.status !== 200) throw mapXError(res, { provider: ctx.provider, now: clock.now(), secrets: [token] });
  const data = (res.json as { data?: { id?: unknown; username?: unknown } } | undefined)?.data;
  if (typeof data?.id !== 'string') {
    throw new GatewayError('GW_PROVIDER_BAD_RESPONSE', 'X /2/users/me answered without data.id', {
      provider: ctx.provider,
      status: res.status,
    });
  }
  return { metadata: { userId: data.id, username: typeof data.username === 'string' ? data.username : undefined } };
}
