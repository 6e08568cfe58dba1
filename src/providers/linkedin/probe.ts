/**
 * LinkedIn probe: `GET /v2/userinfo` with the token (never a post). A 403 there means the
 * token works but lacks the `openid profile` scopes: a warning, not a failure. The probe also
 * warns when the LinkedIn-Version is near its retirement (versions live about a year).
 */
import type { Clock } from '../../core/clock.js';
import { GatewayError } from '../../core/errors.js';
import type { ProbeContext, ProbeResult } from '../../core/provider.js';
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
    warnings.push(`LinkedIn-Version ${options.version} is ${age} months old; versions retire about 12 months after release: update the version option`);
  }
  const metadata: Record<string, unknown> = { version: options.version };
  if (info) metadata.member = `urn:li:person:${info.sub}`;
  if (options.author) metadata.author = options.author;
  return { metadata, warnings };
}

export function versionAgeMonths(version: string, now: number): number {
  const year = Number(version.slice(0, 4));
  const month = Number(version.slice(4, 6));
  const d = new Date(now);
  return (d.getUTCFullYear() - year) * 12 + (d.getUTCMonth() + 1 - month);
}
