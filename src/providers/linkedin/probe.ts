/**
 * LinkedIn probe, never a post:
 * 1. `GET /v2/userinfo` with the token: the credential check. A 403 there means the token
 *    works but lacks the `openid profile` scopes: a warning, not a failure.
 * 2. `GET /rest/posts?q=author&author=...&count=1` with the configured LinkedIn-Version: the
 *    versioned gateway answers 426 for a retired version before it looks at permissions, so a
 *    retired version fails the probe as real posts would. Any other answer (200, or 403 for a
 *    token without read permission) means the version is active.
 * What it cannot see: whether the token may post (w_member_social / an organization role);
 * a 403 on a real post reports that. It also warns when the version nears retirement.
 */
import type { Clock } from '../../core/clock.js';
import { GatewayError } from '../../core/errors.js';
import type { ProbeContext, ProbeResult } from '../../core/provider.js';
import { httpRequest } from '../http/client.js';
import { mapLinkedinError } from './errors.js';
import type { LinkedinOptions } from './options.js';
import { fetchUserInfo } from './userinfo.js';

const WARN_AFTER_MONTHS = 10;

export async function probeLinkedin(options: LinkedinOptions, ctx: ProbeContext, clock: Clock): Promise<ProbeResult> {
  const token = options.accessToken;
  if (!token) throw new GatewayError('GW_NOT_CONFIGURED', `${ctx.provider}: the accessToken option is not set`, { provider: ctx.provider });
  const warnings: string[] = [];
  const info = await fetchUserInfo(options, token, { provider: ctx.provider, signal: ctx.signal, now: clock.now() });
  if (!info) warnings.push('The token lacks the openid/profile scopes, so /v2/userinfo cannot confirm it; posting may still work');
  const age = versionAgeMonths(options.version, clock.now());
  if (age >= WARN_AFTER_MONTHS) {
    warnings.push(
      `LinkedIn-Version ${options.version} is ${age} months old; versions retire about 12 months after release: update the version option`,
    );
  }
  const author = options.author ?? (info ? `urn:li:person:${info.sub}` : undefined);
  if (author) await checkVersion(options, token, author, ctx, clock);
  else warnings.push('No author is configured and userinfo is not readable: the LinkedIn-Version could not be checked');
  const metadata: Record<string, unknown> = { version: options.version };
  if (info) metadata.member = `urn:li:person:${info.sub}`;
  if (options.author) metadata.author = options.author;
  return { metadata, warnings };
}

function versionAgeMonths(version: string, now: number): number {
  const year = Number(version.slice(0, 4));
  const month = Number(version.slice(4, 6));
  const d = new Date(now);
  return (d.getUTCFullYear() - year) * 12 + (d.getUTCMonth() + 1 - month);
}

/** A versioned, read-only request: 426 when the configured LinkedIn-Version is retired. */
async function checkVersion(options: LinkedinOptions, token: string, author: string, ctx: ProbeContext, clock: Clock): Promise<void> {
  const res = await httpRequest({
    method: 'GET',
    url: `${options.baseUrl.replace(/\/+$/, '')}/rest/posts?q=author&author=${encodeURIComponent(author)}&count=1`,
    headers: { authorization: `Bearer ${token}`, 'linkedin-version': options.version, 'x-restli-protocol-version': '2.0.0' },
    signal: ctx.signal,
    provider: ctx.provider,
    sideEffects: false,
    secrets: [token],
  });
  if (res.status === 426 || res.status === 401 || res.status === 429 || res.status >= 500) {
    throw mapLinkedinError(res, { provider: ctx.provider, now: clock.now(), version: options.version, secrets: [token] });
  }
}
