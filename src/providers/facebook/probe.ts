/**
 * Facebook probe: `GET /{version}/me?fields=id,name` with the page token (a read). With a
 * page token `me` is the Page; a different id than the configured pageId is reported.
 */
import { GatewayError } from '../../core/errors.js';
import type { ProbeContext, ProbeResult } from '../../core/provider.js';
import { httpRequest } from '../http/client.js';
import { mapFacebookError } from './errors.js';
import { authParams } from './graph-auth.js';
import type { FacebookOptions } from './options.js';
import { readUsage } from './usage.js';

export async function probeFacebook(options: FacebookOptions, ctx: ProbeContext): Promise<ProbeResult> {
  const token = options.pageAccessToken;
  if (!token)
    throw new GatewayError('GW_NOT_CONFIGURED', `${ctx.provider}: the pageAccessToken option is not set`, { provider: ctx.provider });
  const params = new URLSearchParams({ fields: 'id,name', ...authParams(token, options.appSecret) });
  const secrets = [token, options.appSecret, params.get('appsecret_proof') ?? undefined];
  const res = await httpRequest({
    method: 'GET',
    url: `${options.baseUrl.replace(/\/+$/, '')}/${options.graphVersion}/me?${params}`,
    signal: ctx.signal,
    provider: ctx.provider,
    sideEffects: false,
    secrets,
  });
  const page = res.json as { id?: unknown; name?: unknown; error?: unknown } | undefined;
  if (res.status !== 200 || page?.error !== undefined) {
    throw mapFacebookError(res, { provider: ctx.provider, secrets, rateLimitDefaultMs: options.rateLimitDefaultMs });
  }
  if (typeof page?.id !== 'string') {
    throw new GatewayError('GW_PROVIDER_BAD_RESPONSE', 'Facebook /me answered without an id', {
      provider: ctx.provider,
      status: res.status,
    });
  }
  const warnings: string[] = [];
  if (options.pageId && page.id !== options.pageId)
    warnings.push(`The token belongs to Page ${page.id}, not to the configured pageId ${options.pageId}`);
  const usage = readUsage(res.headers);
  if (usage.maxPercent >= 80) warnings.push(`Graph API usage is at ${usage.maxPercent}% of the limit`);
  return {
    metadata: {
      pageId: page.id,
      name: typeof page.name === 'string' ? page.name : undefined,
      graphVersion: options.graphVersion,
      usagePercent: usage.maxPercent,
    },
    warnings,
  };
}
