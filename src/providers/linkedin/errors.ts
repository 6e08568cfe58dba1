/**
 * LinkedIn error answers → GatewayError. Bodies look like
 * `{"status":401,"serviceErrorCode":65600,"code":"INVALID_ACCESS_TOKEN","message":"…"}`;
 * duplicates are 422 with `errorDetails.inputErrors[].code = "DUPLICATE_POST"`.
 */
import { GatewayError } from '../../core/errors.js';
import type { HttpResponse } from '../http/client.js';
import { parseRetryAfter, untilMidnightUtc } from '../http/retry-after.js';
import { scrubText } from '../http/scrub.js';

export interface LinkedinErrorInfo {
  provider: string;
  capability?: string;
  now: number;
  version: string;
  secrets: readonly (string | undefined)[];
}

interface LinkedinErrorBody {
  status?: number;
  serviceErrorCode?: number;
  code?: string;
  message?: string;
  errorDetails?: { inputErrors?: { code?: string; description?: string }[] };
}

export function mapLinkedinError(res: HttpResponse, info: LinkedinErrorInfo): GatewayError {
  const body = (typeof res.json === 'object' && res.json !== null ? res.json : {}) as LinkedinErrorBody;
  const status = res.status;
  const text = scrubText(String(body.message ?? res.text.slice(0, 200) ?? ''), info.secrets).slice(0, 300);
  const inputCodes = (body.errorDetails?.inputErrors ?? []).map((e) => e.code).filter((c): c is string => typeof c === 'string');
  const providerCode = body.code ?? inputCodes[0] ?? body.serviceErrorCode;
  const base = { provider: info.provider, capability: info.capability, status };
  const details: Record<string, unknown> = { providerCode, ...(body.serviceErrorCode ? { serviceErrorCode: body.serviceErrorCode } : {}) };

  if (status === 426 || body.code === 'NONEXISTENT_VERSION') {
    return new GatewayError(
      'GW_PROVIDER_VERSION_RETIRED',
      `LinkedIn-Version ${info.version} is not active (426): set the version option of ${info.provider} to a current YYYYMM version`,
      { ...base, details: { ...details, version: info.version, option: 'version' } },
    );
  }
  if (inputCodes.includes('DUPLICATE_POST') || (status === 422 && /duplicate/i.test(text))) {
    const duplicateOf = /urn:li:[A-Za-z]+:[A-Za-z0-9_-]+/.exec(text)?.[0];
    return new GatewayError(
      'GW_PROVIDER_DUPLICATE',
      `LinkedIn rejected the post as a duplicate${duplicateOf ? ` of ${duplicateOf}` : ''}`,
      {
        ...base,
        details: { ...details, providerCode: 'DUPLICATE_POST', ...(duplicateOf ? { duplicateOf } : {}) },
      },
    );
  }
  if (status === 401) {
    return new GatewayError('GW_PROVIDER_AUTH', `LinkedIn refused the access token (401${providerCode ? ` ${providerCode}` : ''})`, {
      ...base,
      details,
    });
  }
  if (status === 403) {
    return new GatewayError(
      'GW_PROVIDER_AUTH',
      `LinkedIn denied the request (403): the token lacks the permission or role for this author: ${text}`,
      { ...base, details },
    );
  }
  if (status === 429) {
    const retryAfterMs = parseRetryAfter(res.headers.get('retry-after'), info.now) ?? untilMidnightUtc(info.now);
    return new GatewayError('GW_PROVIDER_RATE_LIMITED', 'LinkedIn daily limit reached (429); it resets at midnight UTC', {
      ...base,
      retryAfterMs,
      details,
    });
  }
  if (status >= 500) {
    return new GatewayError('GW_PROVIDER_TRANSIENT', `LinkedIn failed with ${status}`, { ...base, details });
  }
  return new GatewayError('GW_PROVIDER_REJECTED', `LinkedIn rejected the request (${status}): ${text}`, {
    ...base,
    details: { ...details, ...(inputCodes.length ? { inputErrors: body.errorDetails?.inputErrors } : {}) },
  });
}
