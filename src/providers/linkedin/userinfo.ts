/** `GET /v2/userinfo`: the cheapest LinkedIn credential check, and the member id behind the token. */
import { GatewayError } from '../../core/errors.js';
import { httpRequest } from '../http/client.js';
import { mapLinkedinError } from './errors.js';
import type { LinkedinOptions } from './options.js';

export interface UserInfo {
  /** The member id: the author URN is `urn:li:person:{sub}`. */
  sub: string;
}

/** Returns undefined when the token is valid but lacks the OpenID scopes userinfo needs (403). */
export async function fetchUserInfo(
  options: LinkedinOptions,
  token: string,
  req: { provider: string; signal: AbortSignal; now: number },
): Promise<UserInfo | undefined> {
  const res = await httpRequest({
    method: 'GET',
    url: `${options.baseUrl.replace(/\/+$/, '')}/v2/userinfo`,
    headers: { authorization: `Bearer ${token}` },
    signal: req.signal,
    provider: req.provider,
    sideEffects: false,
    secrets: [token],
  });
  if (res.status === 200) {
    const sub = (res.json as { sub?: unknown } | undefined)?.sub;
    if (typeof sub !== 'string' || sub === '') {
      throw new GatewayError('GW_PROVIDER_BAD_RESPONSE', 'LinkedIn userinfo answered without a sub claim', {
        provider: req.provider,
        status: 200,
      });
    }
    return { sub };
  }
  if (res.status === 403) return undefined;
  throw mapLinkedinError(res, { provider: req.provider, now: req.now, version: options.version, secrets: [token] });
}
