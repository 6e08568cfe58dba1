/**
 * Postmark error mapping. Every error body is `{"ErrorCode":int,"Message":str}`; 422 answers
 * are decided by the ErrorCode (shared/providers-esp.md §4.2):
 * 10 token -> auth; 100 maintenance -> transient; 300 invalid request, 406 inactive recipient,
 * 411 attachment type -> the caller's (rejected; 406 names the addresses); 400/401 sender
 * signature not found / not confirmed -> the provider's `from` (misconfigured) unless the request
 * named it; 405 and 413 account may not send, 412 account pending -> quota (stop, alert);
 * 429 -> rate limited (no reset is documented: a minute).
 */
import { GatewayError, type ErrorCode } from '../../core/errors.js';
import type { HttpResponse } from '../http/client.js';
import { parseRetryAfter } from '../http/retry-after.js';
import { scrubText } from '../http/scrub.js';

export interface PostmarkErrorContext {
  provider: string;
  now: number;
  secrets: readonly (string | undefined)[];
  /** The sender came from the provider's `from` option. */
  fromOption: boolean;
}

/** Postmark documents no reset for its 429. */
const DEFAULT_RATE_WAIT_MS = 60_000;

export interface PostmarkAnswer {
  errorCode: number | undefined;
  message: string;
}

export function postmarkAnswer(json: unknown): PostmarkAnswer {
  const b = (typeof json === 'object' && json !== null ? json : {}) as Record<string, unknown>;
  return {
    errorCode: typeof b.ErrorCode === 'number' ? b.ErrorCode : undefined,
    message: typeof b.Message === 'string' ? b.Message : '',
  };
}

/** The addresses a 406 "inactive recipient" answer names. */
export function inactiveAddresses(message: string): string[] {
  const m =
    /Found inactive addresses: (.+?)\.? Inactive/i.exec(message) ??
    /will not deliver to these inactive addresses: (.+?)\.?$/i.exec(message);
  return m
    ? m[1]!
        .split(',')
        .map((a) => a.trim())
        .filter(Boolean)
    : [];
}

/** The gateway code of a 422 ErrorCode (also used for each element of a batch answer). */
export function codeForErrorCode(
  errorCode: number | undefined,
  fromOption: boolean,
): { code: ErrorCode; details?: Record<string, unknown> } {
  switch (errorCode) {
    case 10:
      return { code: 'GW_PROVIDER_AUTH' };
    case 100:
      return { code: 'GW_PROVIDER_TRANSIENT' };
    case 400:
    case 401:
      return fromOption
        ? { code: 'GW_PROVIDER_MISCONFIGURED', details: { option: 'from' } }
        : { code: 'GW_PROVIDER_REJECTED', details: { field: 'from' } };
    case 405:
    case 412:
    case 413:
      return { code: 'GW_PROVIDER_QUOTA' };
    case 429:
      return { code: 'GW_PROVIDER_RATE_LIMITED' };
    case 406:
      return { code: 'GW_PROVIDER_REJECTED', details: { field: 'to' } };
    default:
      return { code: 'GW_PROVIDER_REJECTED' };
  }
}

export function mapPostmarkError(res: HttpResponse, ctx: PostmarkErrorContext): GatewayError {
  const { errorCode, message } = postmarkAnswer(res.json);
  const text = scrubText(
    `Postmark answered ${res.status}${errorCode !== undefined ? ` ErrorCode ${errorCode}` : ''}${message ? `: ${message.slice(0, 300)}` : ''}`,
    ctx.secrets,
  );
  const make = (code: ErrorCode, more: { retryAfterMs?: number; details?: Record<string, unknown> } = {}): GatewayError =>
    new GatewayError(code, text, {
      provider: ctx.provider,
      status: res.status,
      ...(more.retryAfterMs !== undefined ? { retryAfterMs: more.retryAfterMs } : {}),
      details: { ...(errorCode !== undefined ? { providerCode: errorCode } : {}), ...more.details },
    });
  if (res.status === 429 || errorCode === 429)
    return make('GW_PROVIDER_RATE_LIMITED', {
      retryAfterMs: parseRetryAfter(res.headers.get('retry-after'), ctx.now) ?? DEFAULT_RATE_WAIT_MS,
    });
  if (res.status === 401 || errorCode === 10) return make('GW_PROVIDER_AUTH');
  if (res.status === 422) {
    const { code, details } = codeForErrorCode(errorCode, ctx.fromOption);
    const inactive = errorCode === 406 ? inactiveAddresses(message) : [];
    return make(code, { details: { ...details, ...(inactive.length ? { inactive } : {}) } });
  }
  if (res.status === 413) return make('GW_PROVIDER_REJECTED');
  if (res.status === 404) return make('GW_PROVIDER_MISCONFIGURED', { details: { option: 'baseUrl' } });
  if (res.status >= 500) return make('GW_PROVIDER_TRANSIENT');
  return make('GW_PROVIDER_BAD_RESPONSE');
}
