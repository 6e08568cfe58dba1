/**
 * SendGrid error mapping and rate-limit state. Error bodies are
 * `{"errors":[{"message","field","help"}],"id"?}`; every v3 answer carries `X-RateLimit-Limit`,
 * `-Remaining` and `-Reset` (epoch seconds), and a 429 lasts until that reset (no Retry-After).
 * A 401 "Maximum credits exceeded" is the plan's credits, not the key.
 */
import { GatewayError, type ErrorCode } from '../../core/errors.js';
import type { RateLimitState } from '../../core/provider.js';
import type { HttpResponse } from '../http/client.js';
import { parseEpochSecondsReset } from '../http/retry-after.js';
import { scrubText } from '../http/scrub.js';

export interface SendGridErrorContext {
  provider: string;
  now: number;
  secrets: readonly (string | undefined)[];
  /** The sender came from the provider's `from` option (an unverified one is then its setup). */
  fromOption: boolean;
}

interface SendGridError {
  message: string;
  field: string | null;
}

function firstError(json: unknown): SendGridError | undefined {
  const errors = (json as { errors?: unknown } | undefined)?.errors;
  const e = Array.isArray(errors) ? (errors[0] as Record<string, unknown> | undefined) : undefined;
  if (!e || typeof e.message !== 'string') return undefined;
  return { message: e.message, field: typeof e.field === 'string' ? e.field : null };
}

/** Without a Reset header, a 429 waits a minute (SendGrid's windows are per minute in its examples). */
const DEFAULT_RATE_WAIT_MS = 60_000;

export function mapSendGridError(res: HttpResponse, ctx: SendGridErrorContext): GatewayError {
  const e = firstError(res.json);
  const text = scrubText(`SendGrid answered ${res.status}${e ? `: ${e.message.slice(0, 300)}` : ''}`, ctx.secrets);
  const make = (code: ErrorCode, more: { retryAfterMs?: number; details?: Record<string, unknown> } = {}): GatewayError =>
    new GatewayError(code, text, {
      provider: ctx.provider,
      status: res.status,
      ...(more.retryAfterMs !== undefined ? { retryAfterMs: more.retryAfterMs } : {}),
      details: { ...(e?.field ? { field: e.field } : {}), ...more.details },
    });

  if (res.status === 429) {
    return make('GW_PROVIDER_RATE_LIMITED', {
      retryAfterMs: parseEpochSecondsReset(res.headers.get('x-ratelimit-reset'), ctx.now) ?? DEFAULT_RATE_WAIT_MS,
    });
  }
  if (res.status === 401 && e && /maximum credits exceeded/i.test(e.message)) return make('GW_PROVIDER_QUOTA');
  if (res.status === 401) return make('GW_PROVIDER_AUTH');
  if (res.status === 403) {
    // An unverified sender: the provider's own `from` is its setup; a request's is the caller's.
    if (e?.field === 'from')
      return ctx.fromOption ? make('GW_PROVIDER_MISCONFIGURED', { details: { option: 'from' } }) : make('GW_PROVIDER_REJECTED');
    return make('GW_PROVIDER_AUTH');
  }
  if (res.status === 400 || res.status === 413) return make('GW_PROVIDER_REJECTED');
  if (res.status === 404 || res.status === 405) return make('GW_PROVIDER_MISCONFIGURED', { details: { option: 'baseUrl' } });
  if (res.status >= 500) return make('GW_PROVIDER_TRANSIENT');
  return make('GW_PROVIDER_BAD_RESPONSE');
}

const count = (headers: Headers, name: string): number | null => {
  const v = headers.get(name)?.trim();
  return v !== undefined && /^\d+$/.test(v) ? Number(v) : null;
};

/** The `X-RateLimit-*` state of an answer, or undefined when it carries none. */
export function sendgridRateLimit(headers: Headers, now: number): RateLimitState | undefined {
  const remaining = count(headers, 'x-ratelimit-remaining');
  if (remaining === null) return undefined;
  const reset = count(headers, 'x-ratelimit-reset');
  return {
    window: 'period',
    remaining,
    limit: count(headers, 'x-ratelimit-limit'),
    resetAt: reset === null ? null : Math.max(now, reset * 1000),
  };
}
