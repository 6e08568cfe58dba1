/**
 * ZeroBounce failures. HTTP statuses are mapped as usual; most failures, though, come back as
 * HTTP 200 with an `error` (sometimes `Message`) field whose exact texts are not documented. The
 * wording is matched tolerantly. The common real answer, "Invalid API Key or your account ran out
 * of credits", is ambiguous: the adapter asks /v2/getcredits (free) to tell auth from quota.
 */
import { GatewayError, type ErrorCode } from '../../core/errors.js';
import { parseRetryAfter } from '../http/retry-after.js';
import { scrubText } from '../http/scrub.js';

/** A validate request over the rate limit blocks the caller for one minute (ZeroBounce rate-limit page). */
const ZEROBOUNCE_BLOCK_MS = 60_000;

export type ZeroBounceErrorClass = 'rate_limited' | 'key_or_credits' | 'auth' | 'quota' | 'invalid_request' | 'transient';

/** The error text of a 200 body (`error` or `Message`, a string or an array of strings), if any. */
export function errorTextOf(body: unknown): string | undefined {
  if (!body || typeof body !== 'object') return undefined;
  const b = body as Record<string, unknown>;
  for (const key of ['error', 'Error', 'errors', 'Message', 'message']) {
    const v = b[key];
    if (typeof v === 'string' && v.trim() !== '') return v;
    if (Array.isArray(v) && v.length > 0) return v.map((x) => (typeof x === 'string' ? x : JSON.stringify(x))).join('; ');
  }
  return undefined;
}

export function classifyErrorText(text: string): ZeroBounceErrorClass {
  if (/throttl|rate.?limit|too many|blocked|temporar/i.test(text)) return 'rate_limited';
  if (/key/i.test(text) && /credit/i.test(text)) return 'key_or_credits';
  if (/api.?key|unauthori[sz]ed|authenticat|forbidden|suspended|disabled/i.test(text)) return 'auth';
  if (/credit|balance|quota/i.test(text)) return 'quota';
  if (/email|parameter|missing|required|malformed/i.test(text)) return 'invalid_request';
  return 'transient';
}

const CODES: Record<Exclude<ZeroBounceErrorClass, 'key_or_credits'>, ErrorCode> = {
  rate_limited: 'GW_PROVIDER_RATE_LIMITED',
  auth: 'GW_PROVIDER_AUTH',
  quota: 'GW_PROVIDER_QUOTA',
  invalid_request: 'GW_PROVIDER_REJECTED',
  transient: 'GW_PROVIDER_TRANSIENT',
};

const MESSAGES: Record<Exclude<ZeroBounceErrorClass, 'key_or_credits'>, string> = {
  rate_limited: 'ZeroBounce throttled or blocked the caller',
  auth: 'ZeroBounce refused the API key',
  quota: 'ZeroBounce account has no credits left',
  invalid_request: 'ZeroBounce rejected the request',
  transient: 'ZeroBounce answered with an error',
};

export function zeroBounceError(
  cls: Exclude<ZeroBounceErrorClass, 'key_or_credits'>,
  provider: string,
  providerMessage: string | undefined,
  secrets: readonly (string | undefined)[],
  extra: { status?: number; providerCode?: string; retryAfterMs?: number } = {},
): GatewayError {
  const details: Record<string, unknown> = { providerCode: extra.providerCode ?? `error_${cls}` };
  if (providerMessage) details.providerMessage = scrubText(providerMessage, secrets).slice(0, 300);
  return new GatewayError(CODES[cls], MESSAGES[cls], {
    provider,
    details,
    ...(extra.status !== undefined ? { status: extra.status } : {}),
    ...(cls === 'rate_limited' ? { retryAfterMs: extra.retryAfterMs ?? ZEROBOUNCE_BLOCK_MS } : {}),
  });
}

/** Non-200 answers. */
export function zeroBounceHttpError(status: number, headers: Headers, now: number, provider: string): GatewayError {
  const extra = { status, providerCode: `http_${status}` };
  if (status === 401 || status === 403) return zeroBounceError('auth', provider, undefined, [], extra);
  if (status === 429) {
    const retryAfterMs = parseRetryAfter(headers.get('retry-after'), now) ?? ZEROBOUNCE_BLOCK_MS;
    return zeroBounceError('rate_limited', provider, undefined, [], { ...extra, retryAfterMs });
  }
  if (status === 400 || status === 422) return zeroBounceError('invalid_request', provider, undefined, [], extra);
  return new GatewayError('GW_PROVIDER_TRANSIENT', `ZeroBounce answered HTTP ${status}`, {
    provider,
    status,
    details: { providerCode: extra.providerCode },
  });
}
