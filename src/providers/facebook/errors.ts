/**
 * Graph API errors → GatewayError, by `error.code` (never by HTTP status alone: rate limits
 * come as 400 or 403). Body: `{"error":{"message","type","code","error_subcode","is_transient","fbtrace_id"}}`.
 */
import { GatewayError } from '../../core/errors.js';
import type { HttpResponse } from '../http/client.js';
import { scrubText } from '../http/scrub.js';
import { readUsage } from './usage.js';

export interface GraphErrorBody {
  message?: string;
  type?: string;
  code?: number;
  error_subcode?: number;
  is_transient?: boolean;
  fbtrace_id?: string;
}

export interface FacebookErrorInfo {
  provider: string;
  capability?: string;
  secrets: readonly (string | undefined)[];
  rateLimitDefaultMs: number;
}

const RATE_LIMIT_CODES = new Set([4, 17, 32, 613]);
/** Business-Use-Case rate limits (80001 Pages, 80000–80014 other use cases). */
const isBucCode = (code: number): boolean => code >= 80000 && code <= 80014;
const QUOTA_DEFAULT_MS = 60 * 60_000;

export function graphError(json: unknown): GraphErrorBody | undefined {
  const err = (json as { error?: unknown } | undefined)?.error;
  return typeof err === 'object' && err !== null ? err : undefined;
}

export function mapFacebookError(res: HttpResponse, info: FacebookErrorInfo): GatewayError {
  const err = graphError(res.json) ?? {};
  const code = typeof err.code === 'number' ? err.code : undefined;
  const status = res.status;
  const text = scrubText(String(err.message ?? res.text.slice(0, 200)), info.secrets).slice(0, 300);
  const base = { provider: info.provider, capability: info.capability, status };
  const details: Record<string, unknown> = { providerCode: code, subcode: err.error_subcode, type: err.type, fbtrace_id: err.fbtrace_id };

  if (code === 190 || code === 102) {
    return new GatewayError(
      'GW_PROVIDER_AUTH',
      `Facebook refused the page token (#${code}${err.error_subcode ? `/${err.error_subcode}` : ''})`,
      { ...base, details },
    );
  }
  if (code === 10 || (code !== undefined && code >= 200 && code <= 299)) {
    return new GatewayError('GW_PROVIDER_AUTH', `Facebook permission error (#${code}): ${text}`, { ...base, details });
  }
  if (code !== undefined && (RATE_LIMIT_CODES.has(code) || isBucCode(code))) {
    const retryAfterMs = readUsage(res.headers).regainAccessMs ?? info.rateLimitDefaultMs;
    return new GatewayError('GW_PROVIDER_RATE_LIMITED', `Facebook rate limit (#${code}): ${text}`, { ...base, retryAfterMs, details });
  }
  if (code === 341) {
    const retryAfterMs = readUsage(res.headers).regainAccessMs ?? QUOTA_DEFAULT_MS;
    return new GatewayError('GW_PROVIDER_QUOTA', `Facebook application limit reached (#341): ${text}`, { ...base, retryAfterMs, details });
  }
  // #100/33 "Object with ID '…' does not exist" (or #803, an unknown alias): the configured page id is wrong.
  if ((code === 100 && err.error_subcode === 33) || code === 803) {
    return new GatewayError('GW_PROVIDER_MISCONFIGURED', `Facebook does not know the configured page (#${code}): ${text}`, {
      ...base,
      details: { ...details, option: 'pageId' },
    });
  }
  if (code === 506 || (code === 368 && /already posted|duplicate/i.test(text))) {
    return new GatewayError('GW_PROVIDER_DUPLICATE', `Facebook refused a duplicate post (#${code})`, { ...base, details });
  }
  if (code === 368) {
    return new GatewayError('GW_PROVIDER_REJECTED', `Facebook blocked the post for policy reasons (#368): ${text}`, { ...base, details });
  }
  if (code === 1 || code === 2 || err.is_transient === true || status >= 500) {
    return new GatewayError('GW_PROVIDER_TRANSIENT', `Facebook failed temporarily (${code !== undefined ? `#${code}` : status})`, {
      ...base,
      details,
    });
  }
  if (code === undefined && (status === 401 || status === 403)) {
    return new GatewayError('GW_PROVIDER_AUTH', `Facebook refused the request (${status})`, { ...base, details });
  }
  if (code === undefined && status === 429) {
    return new GatewayError('GW_PROVIDER_RATE_LIMITED', 'Facebook throttled the request (429)', {
      ...base,
      retryAfterMs: info.rateLimitDefaultMs,
      details,
    });
  }
  return new GatewayError('GW_PROVIDER_REJECTED', `Facebook rejected the request (${code !== undefined ? `#${code}` : status}): ${text}`, {
    ...base,
    details,
  });
}
