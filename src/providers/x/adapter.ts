/**
 * The `x` adapter (social_posting_x): `POST /2/tweets` with `{text}`. A 2xx body that carries
 * `data.id` is a success even with partial `errors[]` (logged); a 2xx body with only
 * `errors[]` is mapped like an error answer; a 2xx body with neither is an unknown outcome.
 */
import type { SocialPostRequest, SocialPostResult } from '../../capabilities/social-posting.js';
import { GatewayError } from '../../core/errors.js';
import type { InvokeContext, ProbeContext, ProbeResult, Provider } from '../../core/provider.js';
import { httpRequest } from '../http/client.js';
import type { ProviderDeps } from '../types.js';
import { mapXError, mapXProblem, problemText, type XProblem } from './errors.js';
import type { XOptions } from './options.js';
import { probeX } from './probe.js';
import { readRateLimits, xRateLimitState } from './rate-limit.js';
import { tweetText, weightedLength, X_MAX_WEIGHTED } from './tweet-text.js';

interface TweetAnswer {
  data?: { id?: unknown; text?: unknown };
  errors?: XProblem[];
}

export function createXProvider(name: string, options: XOptions, deps: ProviderDeps): Provider<SocialPostRequest, SocialPostResult> {
  const base = options.baseUrl.replace(/\/+$/, '');
  return {
    name,
    type: 'x',
    async invoke(request: SocialPostRequest, ctx: InvokeContext): Promise<SocialPostResult> {
      const token = options.accessToken;
      if (!token) throw new GatewayError('GW_NOT_CONFIGURED', `${name}: the accessToken option is not set`, { provider: name });
      const invalid = (path: string, message: string): GatewayError =>
        new GatewayError('GW_INVALID_REQUEST', `${path}: ${message}`, {
          provider: name,
          capability: ctx.capability,
          details: { problems: [{ path, message }] },
        });
      if (request.media?.length) throw invalid('media', 'not supported by the x adapter (media needs the upload flow)');
      const text = tweetText(request);
      if (weightedLength(text) > X_MAX_WEIGHTED)
        throw invalid('text', `text with its link exceeds ${X_MAX_WEIGHTED} characters (a URL counts as 23)`);

      const res = await httpRequest({
        method: 'POST',
        url: `${base}/2/tweets`,
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        body: { text },
        signal: ctx.signal,
        provider: name,
        sideEffects: true,
        secrets: [token],
      });
      const info = { provider: name, capability: ctx.capability, now: deps.clock.now(), secrets: [token] };
      const limits = readRateLimits(res.headers, info.now);
      const state = xRateLimitState(limits, info.now);
      if (state) ctx.reportRateLimit?.(state);
      if (res.status < 200 || res.status >= 300) throw mapXError(res, info);

      const answer = (res.json ?? {}) as TweetAnswer;
      const id = answer.data?.id;
      if (typeof id === 'string' && id !== '') {
        if (answer.errors?.length)
          ctx.logger.warn({ provider: name, errors: answer.errors.map(problemText) }, 'X created the post with partial errors');
        if (limits.user24h.remaining === 0 || limits.app24h.remaining === 0) {
          ctx.logger.warn({ provider: name, user24h: limits.user24h, app24h: limits.app24h }, 'X 24-hour posting cap is now spent');
        }
        return { postId: id, url: `https://x.com/i/web/status/${id}`, platform: 'x' };
      }
      const first = answer.errors?.[0];
      if (first) throw mapXProblem(typeof first.status === 'number' ? first.status : 400, first, res.headers, info);
      throw new GatewayError('GW_PROVIDER_BAD_RESPONSE', `X answered ${res.status} without data.id: the post may exist`, {
        kind: 'unknown_outcome',
        provider: name,
        capability: ctx.capability,
        status: res.status,
      });
    },
    probe(ctx: ProbeContext): Promise<ProbeResult> {
      return probeX(options, ctx, deps.clock);
    },
  };
}
