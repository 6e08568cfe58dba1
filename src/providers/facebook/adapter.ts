/**
 * The `facebook` adapter (social_posting_facebook): `POST /{version}/{page-id}/feed`,
 * form-encoded, the page token in the body (never in the URL), optional appsecret_proof.
 * Errors are classified by the Graph `error.code`, also inside an HTTP 200 body.
 */
import type { SocialPostRequest, SocialPostResult } from '../../capabilities/social-posting.js';
import { GatewayError } from '../../core/errors.js';
import type { InvokeContext, ProbeContext, ProbeResult, Provider } from '../../core/provider.js';
import { httpRequest } from '../http/client.js';
import type { ProviderDeps } from '../types.js';
import { graphError, mapFacebookError } from './errors.js';
import { authParams } from './graph-auth.js';
import type { FacebookOptions } from './options.js';
import { probeFacebook } from './probe.js';
import { graphRateLimit, readUsage } from './usage.js';

const USAGE_WARN_PERCENT = 95;

export function createFacebookProvider(
  name: string,
  options: FacebookOptions,
  deps: ProviderDeps,
): Provider<SocialPostRequest, SocialPostResult> {
  const base = options.baseUrl.replace(/\/+$/, '');
  return {
    name,
    type: 'facebook',
    async invoke(request: SocialPostRequest, ctx: InvokeContext): Promise<SocialPostResult> {
      const token = options.pageAccessToken;
      const pageId = request.author ?? options.pageId;
      if (!token) throw new GatewayError('GW_NOT_CONFIGURED', `${name}: the pageAccessToken option is not set`, { provider: name });
      if (!pageId) throw new GatewayError('GW_NOT_CONFIGURED', `${name}: the pageId option is not set`, { provider: name });
      const invalid = (path: string, message: string): GatewayError =>
        new GatewayError('GW_INVALID_REQUEST', `${path}: ${message}`, {
          provider: name,
          capability: ctx.capability,
          details: { problems: [{ path, message }] },
        });
      if (!/^\d+$/.test(pageId)) throw invalid('author', 'must be a numeric Facebook page id');
      if (request.media?.length) throw invalid('media', 'not supported by the facebook adapter (photos need the /photos flow)');

      const form = new URLSearchParams({ message: request.text });
      if (request.link) form.set('link', request.link);
      for (const [k, v] of Object.entries(authParams(token, options.appSecret))) form.set(k, v);
      const secrets = [token, options.appSecret, form.get('appsecret_proof') ?? undefined];

      const res = await httpRequest({
        method: 'POST',
        url: `${base}/${options.graphVersion}/${pageId}/feed`,
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: form.toString(),
        signal: ctx.signal,
        provider: name,
        sideEffects: true,
        secrets,
      });
      const usage = readUsage(res.headers);
      const state = graphRateLimit(usage, deps.clock.now());
      if (state) ctx.reportRateLimit?.(state);
      if (usage.maxPercent >= USAGE_WARN_PERCENT)
        ctx.logger.warn({ provider: name, usagePercent: usage.maxPercent }, 'Facebook Graph API usage is near its limit');

      const id = (res.json as { id?: unknown } | undefined)?.id;
      if (res.status >= 200 && res.status < 300 && !graphError(res.json)) {
        if (typeof id === 'string' && id !== '') return { postId: id, url: `https://www.facebook.com/${id}`, platform: 'facebook' };
        throw new GatewayError('GW_PROVIDER_BAD_RESPONSE', `Facebook answered ${res.status} without a post id: the post may exist`, {
          kind: 'unknown_outcome',
          provider: name,
          capability: ctx.capability,
          status: res.status,
        });
      }
      throw mapFacebookError(res, { provider: name, capability: ctx.capability, secrets, rateLimitDefaultMs: options.rateLimitDefaultMs });
    },
    probe(ctx: ProbeContext): Promise<ProbeResult> {
      return probeFacebook(options, ctx);
    },
  };
}
