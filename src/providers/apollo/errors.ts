/**
 * Apollo error mapping. Bodies seen: the plain string `Invalid access credentials.` (401),
 * `{"error":"...","error_code":"API_INACCESSIBLE"}` (403), `{"error_message"|"message":...}`;
 * an out-of-credits answer is undocumented, so any 402/403/422/429 body that talks about
 * credits ("credit", "insufficient") is taken as quota [unverified wording].
 */
import { GatewayError, type ErrorCode } from '../../core/errors.js';
import type { HttpResponse } from '../http/client.js';
import { scrubText } from '../http/scrub.js';
import { apolloRetryAfterMs } from './retry-after.js';

export interface ApolloErrorContext {
  provider: string;
  now: number;
  secrets: readonly (string | undefined)[];
  endpoint: string;
}

function apolloErrorText(res: HttpResponse): { message: string; providerCode?: string } {
  if (typeof res.json === 'object' && res.json !== null) {
    const b = res.json as Record<string, unknown>;
    const message = [b.error_message, b.error, b.message, b.detail].find((v): v is string => typeof v === 'string' && v.length > 0) ?? '';
    return { message, ...(typeof b.error_code === 'string' && b.error_code ? { providerCode: b.error_code } : {}) };
  }
  if (typeof res.json === 'string') return { message: res.json };
  return { message: res.text.slice(0, 500) };
}

export function mapApolloError(res: HttpResponse, ctx: ApolloErrorContext): GatewayError {
  const { message, providerCode } = apolloErrorText(res);
  const text = scrubText(
    `Apollo ${ctx.endpoint} answered ${res.status}${providerCode ? ` ${providerCode}` : ''}${message ? `: ${message.slice(0, 300)}` : ''}`,
    ctx.secrets,
  );
  const details: Record<string, unknown> = { endpoint: ctx.endpoint, ...(providerCode ? { providerCode } : {}) };
  const make = (code: ErrorCode, retryAfterMs?: number): GatewayError =>
    new GatewayError(code, text, { provider: ctx.provider, status: res.status, retryAfterMs, details });

  if ([200, 402, 403, 422, 429].includes(res.status) && /credit|insufficient/i.test(message)) return make('GW_PROVIDER_QUOTA');
  if (res.status === 429) return make('GW_PROVIDER_RATE_LIMITED', apolloRetryAfterMs(res.headers, message, ctx.now));
  if (res.status === 401 || res.status === 403) return make('GW_PROVIDER_AUTH');
  if (res.status === 400 || res.status === 422) return make('GW_PROVIDER_REJECTED');
  // 404: the endpoint does not exist: a wrong baseUrl or API version.
  if (res.status === 404) return make('GW_NOT_CONFIGURED');
  if (res.status >= 500) return make('GW_PROVIDER_TRANSIENT');
  return make('GW_PROVIDER_BAD_RESPONSE');
}
