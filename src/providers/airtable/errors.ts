/**
 * Airtable error mapping. Body shapes (all parsed):
 *   {"error":{"type":"INVALID_VALUE_FOR_COLUMN","message":"..."}}   (most errors)
 *   {"error":"NOT_FOUND"}                                              (some 404s)
 *   {"errors":[{"error":"RATE_LIMIT_REACHED","message":"..."}]}        (429)
 */
import { GatewayError, type ErrorCode } from '../../core/errors.js';
import type { HttpResponse } from '../http/client.js';
import { parseRetryAfter } from '../http/retry-after.js';
import { scrubText } from '../http/scrub.js';
import { AIRTABLE_RATE_LIMIT_WAIT_MS } from './options.js';

export interface AirtableErrorContext {
  provider: string;
  now: number;
  secrets: readonly (string | undefined)[];
  /** The table came from the request (`object`), not from the provider's config. */
  tableFromRequest: boolean;
}

interface AirtableErrorBody {
  type?: string;
  message?: string;
}

function parseAirtableError(json: unknown): AirtableErrorBody {
  if (typeof json !== 'object' || json === null) return {};
  const body = json as Record<string, unknown>;
  const err = body.error;
  if (typeof err === 'string') return { type: err };
  if (typeof err === 'object' && err !== null) {
    const e = err as Record<string, unknown>;
    return { type: str(e.type), message: str(e.message) };
  }
  if (Array.isArray(body.errors) && typeof body.errors[0] === 'object' && body.errors[0] !== null) {
    const e = body.errors[0] as Record<string, unknown>;
    return { type: str(e.error) ?? str(e.type), message: str(e.message) };
  }
  return {};
}

export function mapAirtableError(res: HttpResponse, ctx: AirtableErrorContext): GatewayError {
  const { type, message } = parseAirtableError(res.json);
  const text = scrubText(
    `Airtable answered ${res.status}${type ? ` ${type}` : ''}${message ? `: ${message.slice(0, 300)}` : ''}`,
    ctx.secrets,
  );
  const opts = { provider: ctx.provider, status: res.status, details: type ? { providerCode: type } : {} };
  const make = (code: ErrorCode, extra: { retryAfterMs?: number; details?: Record<string, unknown> } = {}): GatewayError =>
    new GatewayError(code, text, { ...opts, ...extra, details: { ...opts.details, ...extra.details } });

  if (res.status === 429 || type === 'RATE_LIMIT_REACHED') {
    return make('GW_PROVIDER_RATE_LIMITED', {
      retryAfterMs: parseRetryAfter(res.headers.get('retry-after'), ctx.now) ?? AIRTABLE_RATE_LIMIT_WAIT_MS,
    });
  }
  // 403 INVALID_PERMISSIONS_OR_MODEL_NOT_FOUND: the token works but not on this base or table
  // (or the id is wrong). For the configured base and table that is this provider's setup, which
  // no retry cures; for a table the request named, it may be the caller's mistake.
  const modelNotFound = res.status === 403 && type === 'INVALID_PERMISSIONS_OR_MODEL_NOT_FOUND';
  if (modelNotFound && !ctx.tableFromRequest) return make('GW_PROVIDER_MISCONFIGURED', { details: { option: 'baseId' } });
  if (modelNotFound) return make('GW_PROVIDER_REJECTED', { details: { field: 'object' } });
  if (res.status === 401 || res.status === 403) return make('GW_PROVIDER_AUTH');
  if (res.status === 404) {
    // A table named by the request that does not exist is the caller's mistake; the configured
    // base or table missing means this provider cannot work until its config is fixed.
    return ctx.tableFromRequest
      ? make('GW_PROVIDER_REJECTED', { details: { field: 'object' } })
      : make('GW_PROVIDER_MISCONFIGURED', { details: { option: 'table' } });
  }
  if (res.status === 400 || res.status === 413 || res.status === 422) return make('GW_PROVIDER_REJECTED');
  if (res.status >= 500) return make('GW_PROVIDER_TRANSIENT');
  return make('GW_PROVIDER_BAD_RESPONSE');
}

function str(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}
