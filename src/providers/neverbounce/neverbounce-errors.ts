/**
 * NeverBounce failures. API errors are HTTP 200 with `status` other than `success` and a
 * `message`; 4xx/5xx are transport problems.
 *
 * `general_failure` is a catch-all: "Insufficient credit balance ..." is quota; a message about a
 * request parameter ("Missing required parameter 'email'", "Invalid parameter ...") is
 * invalid_request (the request itself is wrong and would be refused again); anything else is transient.
 */
import { GatewayError, type ErrorCode, type FailureKind } from '../../core/errors.js';
import { parseRetryAfter } from '../http/retry-after.js';
import { scrubText } from '../http/scrub.js';

/** `throttle_triggered` says "try again shortly" without a figure: the provider cools down this long. */
const NEVERBOUNCE_THROTTLE_MS = 10_000;

const BY_KIND: Partial<Record<FailureKind, { code: ErrorCode; message: string }>> = {
  auth: { code: 'GW_PROVIDER_AUTH', message: 'NeverBounce refused the API key' },
  rate_limited: { code: 'GW_PROVIDER_RATE_LIMITED', message: 'NeverBounce throttled the requests' },
  quota: { code: 'GW_PROVIDER_QUOTA', message: 'NeverBounce account has too few credits' },
  invalid_request: { code: 'GW_PROVIDER_REJECTED', message: 'NeverBounce rejected the request' },
  transient: { code: 'GW_PROVIDER_TRANSIENT', message: 'NeverBounce failed to answer' },
};

function neverBounceKind(status: string, message: string): FailureKind {
  switch (status) {
    case 'auth_failure':
    case 'bad_referrer':
      return 'auth';
    case 'throttle_triggered':
      return 'rate_limited';
    case 'temp_unavail':
      return 'transient';
    case 'general_failure':
      if (/insufficient credit|credit balance/i.test(message)) return 'quota';
      if (/parameter|malformed|invalid (email|request|value)/i.test(message)) return 'invalid_request';
      return 'transient';
    default:
      return 'transient';
  }
}

/** An HTTP-200 answer whose `status` is not `success`. */
export function neverBounceApiError(
  body: { status: string; message?: unknown },
  provider: string,
  secrets: readonly (string | undefined)[],
): GatewayError {
  const message = typeof body.message === 'string' ? body.message : '';
  const kind = neverBounceKind(body.status, message);
  const { code, message: text } = BY_KIND[kind]!;
  const details: Record<string, unknown> = { providerCode: body.status };
  if (message) details.providerMessage = scrubText(message, secrets).slice(0, 300);
  return new GatewayError(code, `${text} (${body.status})`, {
    provider,
    details,
    ...(kind === 'rate_limited' ? { retryAfterMs: NEVERBOUNCE_THROTTLE_MS } : {}),
  });
}

/** Non-200 answers. */
export function neverBounceHttpError(status: number, headers: Headers, now: number, provider: string): GatewayError {
  const details = { providerCode: `http_${status}` };
  if (status === 401 || status === 403)
    return new GatewayError('GW_PROVIDER_AUTH', `NeverBounce answered HTTP ${status}`, { provider, status, details });
  if (status === 429) {
    const retryAfterMs = parseRetryAfter(headers.get('retry-after'), now) ?? NEVERBOUNCE_THROTTLE_MS;
    return new GatewayError('GW_PROVIDER_RATE_LIMITED', 'NeverBounce answered HTTP 429', { provider, status, retryAfterMs, details });
  }
  if (status === 400 || status === 413 || status === 422) {
    return new GatewayError('GW_PROVIDER_REJECTED', `NeverBounce answered HTTP ${status}`, { provider, status, details });
  }
  return new GatewayError('GW_PROVIDER_TRANSIENT', `NeverBounce answered HTTP ${status}`, { provider, status, details });
}
