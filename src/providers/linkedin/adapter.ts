/**
 * The `linkedin` adapter (social_posting_linkedin): `POST /rest/posts`, the new post URN from
 * the `x-restli-id` header. Before each post it records (in provider state, under the
 * idempotency key) what it is about to publish; when LinkedIn later answers DUPLICATE_POST
 * for the same key and content, the earlier attempt of this invocation published it, and the
 * adapter returns that post (`duplicate: true`) instead of an error. A definite refusal
 * deletes the record, so only an attempt whose outcome stayed unknown can vouch for a post.
 */
import { createHash } from 'node:crypto';
import type { SocialPostRequest, SocialPostResult } from '../../capabilities/social-posting.js';
import { GatewayError, isGatewayError } from '../../core/errors.js';
import type { InvokeContext, ProbeContext, ProbeResult, Provider } from '../../core/provider.js';
import { httpRequest } from '../http/client.js';
import type { ProviderDeps } from '../types.js';
import { mapLinkedinError } from './errors.js';
import type { LinkedinOptions } from './options.js';
import { buildPostBody } from './post-body.js';
import { probeLinkedin } from './probe.js';
import { fetchUserInfo } from './userinfo.js';

interface PostRecord {
  hash: string;
  postId?: string;
}

const AUTHOR_URN = /^urn:li:(person|organization):[A-Za-z0-9_-]+$/;

export function createLinkedinProvider(
  name: string,
  options: LinkedinOptions,
  deps: ProviderDeps,
): Provider<SocialPostRequest, SocialPostResult> {
  const base = options.baseUrl.replace(/\/+$/, '');
  let memberUrn: string | undefined;

  async function authorFor(request: SocialPostRequest, token: string, ctx: InvokeContext): Promise<string> {
    const author = request.author ?? options.author ?? memberUrn;
    if (author) {
      if (!AUTHOR_URN.test(author)) {
        throw new GatewayError('GW_INVALID_REQUEST', 'author must be a urn:li:person:… or urn:li:organization:… URN', {
          provider: name,
          capability: ctx.capability,
          details: { problems: [{ path: 'author', message: 'must be a LinkedIn person or organization URN' }] },
        });
      }
      return author;
    }
    const info = await fetchUserInfo(options, token, { provider: name, signal: ctx.signal, now: deps.clock.now() });
    if (!info) {
      throw new GatewayError(
        'GW_NOT_CONFIGURED',
        `${name}: set the author option (the token cannot read /v2/userinfo to find its member)`,
        { provider: name },
      );
    }
    memberUrn = `urn:li:person:${info.sub}`;
    return memberUrn;
  }

  async function post(request: SocialPostRequest, ctx: InvokeContext): Promise<SocialPostResult> {
    const token = options.accessToken;
    if (!token) throw new GatewayError('GW_NOT_CONFIGURED', `${name}: the accessToken option is not set`, { provider: name });
    if (request.media?.length) {
      throw new GatewayError(
        'GW_INVALID_REQUEST',
        'The linkedin adapter posts text and links only; media needs an upload flow it does not implement',
        {
          provider: name,
          capability: ctx.capability,
          details: { problems: [{ path: 'media', message: 'not supported by this provider' }] },
        },
      );
    }
    const author = await authorFor(request, token, ctx);
    const body = buildPostBody(request, author, options.visibility);
    const hash = createHash('sha256')
      .update(`${author}\n${body.commentary}\n${request.link ?? ''}`)
      .digest('hex');
    const recordKey = `post:${ctx.idempotencyKey}`;
    const prior = await deps.state.get<PostRecord>(recordKey);
    if (!prior) await deps.state.set(recordKey, { hash } satisfies PostRecord);

    const res = await httpRequest({
      method: 'POST',
      url: `${base}/rest/posts`,
      headers: {
        authorization: `Bearer ${token}`,
        'linkedin-version': options.version,
        'x-restli-protocol-version': '2.0.0',
        'x-restli-method': 'create',
        'content-type': 'application/json',
      },
      body,
      signal: ctx.signal,
      provider: name,
      sideEffects: true,
      secrets: [token],
    });
    if (res.status >= 200 && res.status < 300) {
      const postId = res.headers.get('x-restli-id') ?? res.headers.get('x-linkedin-id');
      if (!postId) {
        throw new GatewayError(
          'GW_PROVIDER_BAD_RESPONSE',
          `LinkedIn answered ${res.status} without an x-restli-id header: the post may exist`,
          {
            kind: 'unknown_outcome',
            provider: name,
            capability: ctx.capability,
            status: res.status,
          },
        );
      }
      await deps.state.set(recordKey, { hash, postId } satisfies PostRecord);
      return { postId, url: postUrl(postId), platform: 'linkedin' };
    }
    const error = mapLinkedinError(res, {
      provider: name,
      capability: ctx.capability,
      now: deps.clock.now(),
      version: options.version,
      secrets: [token],
    });
    const duplicateOf = error.details?.duplicateOf;
    if (error.code === 'GW_PROVIDER_DUPLICATE' && prior?.hash === hash && typeof duplicateOf === 'string') {
      ctx.logger.info(
        { provider: name, postId: duplicateOf },
        'LinkedIn duplicate of a post an earlier attempt of this invocation published',
      );
      return { postId: prior.postId ?? duplicateOf, url: postUrl(prior.postId ?? duplicateOf), platform: 'linkedin', duplicate: true };
    }
    // A definite refusal: nothing was published under this key, so the record must not vouch for a later duplicate.
    await deps.state.delete(recordKey);
    throw error;
  }

  return {
    name,
    type: 'linkedin',
    async invoke(request: SocialPostRequest, ctx: InvokeContext): Promise<SocialPostResult> {
      try {
        return await post(request, ctx);
      } catch (error) {
        // LinkedIn sends no rate-limit headers: only a 429 (on the post or the userinfo read) says a daily limit is spent.
        if (isGatewayError(error) && error.kind === 'rate_limited' && error.retryAfterMs !== undefined)
          ctx.reportRateLimit?.({ window: 'day', remaining: 0, limit: null, resetAt: deps.clock.now() + error.retryAfterMs });
        throw error;
      }
    },
    probe(ctx: ProbeContext): Promise<ProbeResult> {
      return probeLinkedin(options, ctx, deps.clock);
    },
  };
}

function postUrl(urn: string): string {
  return `https://www.linkedin.com/feed/update/${urn}/`;
}
