/**
 * Mailgun error mapping (shared/providers-esp.md §2.2). Bodies are JSON `{"message"}` except 401
 * (plain `Forbidden`) and a 404 for a wrong endpoint (no JSON). A 404 `Domain not found` is the
 * provider's domain or region; 420 is the domain's sending cap, until the time it names; 402 the
 * account's standing. Mailgun documents no rate-limit headers.
 */
import { GatewayError, type ErrorCode } from '../../core/errors.js';
import type { HttpResponse } from '../http/client.js';
import { parseRetryAfter } from '../http/retry-after.js';
import { scrubText } from '../http/scrub.js';

export interface MailgunErrorContext {
  provider: string;
  now: number;
  secrets: readonly (string | undefined)[];
}

/** Without a Retry-After, a 429 waits a minute. */
const DEFAULT_RATE_WAIT_MS = 60_000;
/** A 420 without a readable time: an hour. */
const DEFAULT_CAP_WAIT_MS = 3_600_000;

const messageOf = (res: HttpResponse): string => {
  const m = (res.json as { message?: unknown } | undefined)?.message;
  return typeof m === 'string' ? m : res.text.trim().slice(0, 200);
};

/** `… try again after Mon, 25 Aug 2025 07:00:31 UTC` -> ms from now. */
function capReset(message: string, now: number): number | undefined {
  const at = /try again after (.+)$/i.exec(message)?.[1];
  const t = at ? Date.parse(at) : NaN;
  return Number.isNaN(t) ? undefined : Math.max(0, t - now);
}

/** The request field a 400 names (`'to' parameter is not a valid address`). */
function fieldOf(message: string): string | undefined {
  return /'(from|to|cc|bcc|subject|text|html)' parameter/i.exec(message)?.[1]?.toLowerCase();
}

export function mapMailgunError(res: HttpResponse, ctx: MailgunErrorContext): GatewayError {
  const message = messageOf(res);
  const text = scrubText(`Mailgun answered ${res.status}${message ? `: ${message.slice(0, 300)}` : ''}`, ctx.secrets);
  const make = (code: ErrorCode, more: { retryAfterMs?: number; details?: Record<string, unknown> } = {}): GatewayError =>
    new GatewayError(code, text, {
      provider: ctx.provider,
      status: res.status,
      ...(more.retryAfterMs !== undefined ? { retryAfterMs: more.retryAfterMs } : {}),
      ...(more.details ? { details: more.details } : {}),
    });
  if (res.status === 429)
    return make('GW_PROVIDER_RATE_LIMITED', {
      retryAfterMs: parseRetryAfter(res.headers.get('retry-after'), ctx.now) ?? DEFAULT_RATE_WAIT_MS,
    });
  if (res.status === 420) return make('GW_PROVIDER_QUOTA', { retryAfterMs: capReset(message, ctx.now) ?? DEFAULT_CAP_WAIT_MS });
  if (res.status === 401 || res.status === 403) return make('GW_PROVIDER_AUTH');
  if (res.status === 402) return make('GW_PROVIDER_QUOTA');
  if (res.status === 404) {
    const domain = /domain not found/i.test(message);
    return make('GW_PROVIDER_MISCONFIGURED', {
      details: { option: domain ? 'domain' : 'baseUrl', ...(domain ? { alsoCheck: 'region' } : {}) },
    });
  }
  if (res.status === 400 || res.status === 413) {
    const field = fieldOf(message);
    return make('GW_PROVIDER_REJECTED', field ? { details: { field } } : {});
  }
  if (res.status >= 500) return make('GW_PROVIDER_TRANSIENT');
  return make('GW_PROVIDER_BAD_RESPONSE');
}
