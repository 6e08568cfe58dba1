/**
 * HubSpot error mapping. Body: `{"status":"error","message","correlationId","category",
 * "subCategory"?,"errors"?,"context"?}`; 429 adds `errorType:"RATE_LIMIT"` and `policyName`
 * (`SECONDLY`, `TEN_SECONDLY_ROLLING`, `DAILY`). The category decides first, then the status.
 */
import { GatewayError, type ErrorCode } from '../../core/errors.js';
import type { HttpResponse } from '../http/client.js';
import { parseRetryAfter } from '../http/retry-after.js';
import { untilDailyReset } from './rate-limit.js';
import { scrubText } from '../http/scrub.js';
import { HUBSPOT_RATE_WINDOW_MS } from './options.js';

export interface HubSpotErrorContext {
  provider: string;
  now: number;
  secrets: readonly (string | undefined)[];
  /** The object type came from the request, not from the provider's config. */
  objectFromRequest: boolean;
  /** The account's IANA time zone: the daily limit resets at its midnight (UTC when unknown). */
  timeZone?: string | undefined;
}

interface HubSpotErrorBody {
  message?: string;
  category?: string;
  errorType?: string;
  policyName?: string;
  correlationId?: string;
}

const AUTH_CATEGORIES = new Set(['INVALID_AUTHENTICATION', 'EXPIRED_AUTHENTICATION', 'MISSING_SCOPES']);
const REJECTED_CATEGORIES = new Set(['VALIDATION_ERROR', 'INVALID_EMAIL', 'PROPERTY_DOESNT_EXIST', 'CONFLICT']);

function parseHubSpotError(json: unknown): HubSpotErrorBody {
  if (typeof json !== 'object' || json === null) return {};
  const b = json as Record<string, unknown>;
  const s = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);
  return {
    message: s(b.message),
    category: s(b.category),
    errorType: s(b.errorType),
    policyName: s(b.policyName),
    correlationId: s(b.correlationId),
  };
}

/** The gateway code for a HubSpot category alone (per-record errors inside a 207 answer). */
export function codeForCategory(category: string | undefined): ErrorCode {
  if (category && AUTH_CATEGORIES.has(category)) return 'GW_PROVIDER_AUTH';
  if (category === 'RATE_LIMITS') return 'GW_PROVIDER_RATE_LIMITED';
  return 'GW_PROVIDER_REJECTED';
}

export function mapHubSpotError(res: HttpResponse, ctx: HubSpotErrorContext): GatewayError {
  const body = parseHubSpotError(res.json);
  const providerCode = body.category ?? body.errorType;
  const text = scrubText(
    `HubSpot answered ${res.status}${providerCode ? ` ${providerCode}` : ''}${body.message ? `: ${body.message.slice(0, 300)}` : ''}`,
    ctx.secrets,
  );
  const details: Record<string, unknown> = {};
  if (providerCode) details.providerCode = providerCode;
  if (body.policyName) details.policyName = body.policyName;
  if (body.correlationId) details.correlationId = body.correlationId;
  const make = (code: ErrorCode, retryAfterMs?: number, more: Record<string, unknown> = {}): GatewayError =>
    new GatewayError(code, text, { provider: ctx.provider, status: res.status, retryAfterMs, details: { ...details, ...more } });

  if (res.status === 429 || body.errorType === 'RATE_LIMIT') {
    if (body.policyName === 'DAILY')
      return make('GW_PROVIDER_QUOTA', untilDailyReset(ctx.timeZone, ctx.now), { timeZone: ctx.timeZone ?? 'UTC' });
    const interval = Number(res.headers.get('x-hubspot-ratelimit-interval-milliseconds'));
    const wait = parseRetryAfter(res.headers.get('retry-after'), ctx.now) ?? (interval > 0 ? interval : HUBSPOT_RATE_WINDOW_MS);
    return make('GW_PROVIDER_RATE_LIMITED', wait);
  }
  if ((body.category && AUTH_CATEGORIES.has(body.category)) || res.status === 401 || res.status === 403) return make('GW_PROVIDER_AUTH');
  if (res.status === 404) {
    // The configured object type unknown to HubSpot is this provider's setup; one named by the request is the caller's.
    return ctx.objectFromRequest
      ? make('GW_PROVIDER_REJECTED', undefined, { field: 'object' })
      : make('GW_PROVIDER_MISCONFIGURED', undefined, { option: 'object' });
  }
  if ((body.category && REJECTED_CATEGORIES.has(body.category)) || res.status === 400 || res.status === 409 || res.status === 422)
    return make('GW_PROVIDER_REJECTED');
  if (res.status >= 500) return make('GW_PROVIDER_TRANSIENT');
  return make('GW_PROVIDER_BAD_RESPONSE');
}

/** `Contact already exists. Existing ID: 12345` -> `12345`. */
export function existingIdOf(json: unknown): string | undefined {
  const { message } = parseHubSpotError(json);
  return message ? /Existing ID:\s*(\d+)/i.exec(message)?.[1] : undefined;
}
