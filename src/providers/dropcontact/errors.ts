/**
 * Dropcontact error mapping. Shapes: `{"error":true,"reason":"...","success":false}` (most),
 * `{"detail":"..."}` (404/422/500 and /v1/account/credits; FastAPI 422 puts a list in
 * `detail`). Errors may come with HTTP 200: the body decides.
 */
import { GatewayError, type ErrorCode } from '../../core/errors.js';
import type { HttpResponse } from '../http/client.js';
import { parseRetryAfter } from '../http/retry-after.js';
import { scrubText } from '../http/scrub.js';
import { DROPCONTACT_DEFAULT_RETRY_MS } from './options.js';

export interface DropcontactErrorContext {
  provider: string;
  now: number;
  secrets: readonly (string | undefined)[];
  endpoint: string;
}

function dropcontactReason(json: unknown): string {
  if (typeof json !== 'object' || json === null) return '';
  const b = json as Record<string, unknown>;
  if (typeof b.reason === 'string') return b.reason;
  if (typeof b.detail === 'string') return b.detail;
  if (Array.isArray(b.detail)) {
    return b.detail
      .map((d) =>
        typeof d === 'object' && d !== null && typeof (d as { msg?: unknown }).msg === 'string' ? (d as { msg: string }).msg : '',
      )
      .filter(Boolean)
      .join('; ');
  }
  return '';
}

/** `Request not ready yet, try again in 30 seconds` (HTTP 200, success false). */
/** The wait a "not ready" answer asks for ("try again in 30 seconds"), in ms; undefined when it names none. */
export function notReadyWaitMs(res: HttpResponse): number | undefined {
  const seconds = /try again in (\d+) seconds?/i.exec(dropcontactReason(res.json))?.[1];
  return seconds === undefined ? undefined : Number(seconds) * 1000;
}

export function isNotReady(res: HttpResponse): boolean {
  if (res.status !== 200 || typeof res.json !== 'object' || res.json === null) return false;
  const b = res.json as { success?: unknown; error?: unknown };
  return b.success === false && (/not ready/i.test(dropcontactReason(res.json)) || b.error !== true);
}

export function mapDropcontactError(res: HttpResponse, ctx: DropcontactErrorContext): GatewayError {
  const reason = dropcontactReason(res.json);
  const text = scrubText(`Dropcontact ${ctx.endpoint} answered ${res.status}${reason ? `: ${reason.slice(0, 300)}` : ''}`, ctx.secrets);
  const make = (code: ErrorCode, retryAfterMs?: number): GatewayError =>
    new GatewayError(code, text, { provider: ctx.provider, status: res.status, retryAfterMs, details: { endpoint: ctx.endpoint } });
  const credits = /credit/i.test(reason);
  const authWords = /token|api key|unauthori[sz]ed|authenticat/i.test(reason);

  if (res.status === 429 || (res.status === 200 && /rate limit|too many/i.test(reason))) {
    return make('GW_PROVIDER_RATE_LIMITED', parseRetryAfter(res.headers.get('retry-after'), ctx.now) ?? DROPCONTACT_DEFAULT_RETRY_MS);
  }
  if (res.status === 401) return make('GW_PROVIDER_AUTH');
  // 403 is documented as "not enough credits for all records".
  if (res.status === 403) return make(authWords && !credits ? 'GW_PROVIDER_AUTH' : 'GW_PROVIDER_QUOTA');
  if (res.status === 400 || res.status === 413 || res.status === 422) return make('GW_PROVIDER_REJECTED');
  if (res.status === 404) return make('GW_NOT_CONFIGURED');
  if (res.status >= 500) return make('GW_PROVIDER_TRANSIENT');
  if (res.status === 200 && credits) return make('GW_PROVIDER_QUOTA');
  if (res.status === 200 && authWords) return make('GW_PROVIDER_AUTH');
  return make('GW_PROVIDER_BAD_RESPONSE');
}
