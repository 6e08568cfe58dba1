/**
 * What a receiver's non-2xx answer means (Standard Webhooks: any 2xx is success, 3xx is a
 * failure and is not followed, 410 disables the endpoint, 429/502/503/504 throttle). A redirect,
 * 404, 405 or 410 says the configured URL is wrong: `misconfigured`, naming the `url` option, so
 * the chain fails over and the operator is told what to change.
 */
import { GatewayError } from '../../core/errors.js';
import type { HttpResponse } from '../http/client.js';
import { parseRetryAfter } from '../http/retry-after.js';
import { scrubText } from '../http/scrub.js';

export interface ReceiverErrorInfo {
  provider: string;
  capability?: string;
  /** Scheme and host of the destination (never its path). */
  display: string;
  now: number;
  secrets: readonly (string | undefined)[];
}

/** Used when a 429 carries no Retry-After. */
const DEFAULT_THROTTLE_MS = 60_000;

export function mapReceiverError(res: HttpResponse, info: ReceiverErrorInfo): GatewayError {
  const status = res.status;
  const retryAfterMs = parseRetryAfter(res.headers.get('retry-after'), info.now);
  const base = { provider: info.provider, capability: info.capability, status };
  const snippet = scrubText(res.text.slice(0, 200), info.secrets);
  const details: Record<string, unknown> = snippet ? { response: snippet } : {};
  const at = `webhook receiver ${info.display}`;

  if (status >= 300 && status < 400) {
    const location = res.headers.get('location');
    return new GatewayError(
      'GW_PROVIDER_MISCONFIGURED',
      `${at} answered ${status} (redirect); redirects are not followed: configure the final URL`,
      {
        ...base,
        details: { option: 'url', reason: 'redirect', ...(location ? { location: safeOrigin(location) } : {}) },
      },
    );
  }
  if (status === 410) {
    return new GatewayError('GW_PROVIDER_GONE', `${at} answered 410 Gone: the endpoint was removed`, {
      ...base,
      details: { option: 'url', ...details },
    });
  }
  if (status === 404 || status === 405) {
    return new GatewayError('GW_PROVIDER_MISCONFIGURED', `${at} answered ${status}: no webhook endpoint at the configured URL`, {
      ...base,
      details: { option: 'url', ...details },
    });
  }
  if (status === 429) {
    return new GatewayError('GW_PROVIDER_RATE_LIMITED', `${at} throttled the delivery (429)`, {
      ...base,
      retryAfterMs: retryAfterMs ?? DEFAULT_THROTTLE_MS,
      details,
    });
  }
  if (status === 401 || status === 403) {
    return new GatewayError('GW_PROVIDER_AUTH', `${at} refused the delivery (${status}): check the signing secret the receiver holds`, {
      ...base,
      details,
    });
  }
  if (status >= 500 || status === 408) {
    return new GatewayError('GW_PROVIDER_TRANSIENT', `${at} failed with ${status}`, { ...base, retryAfterMs, details });
  }
  return new GatewayError('GW_PROVIDER_REJECTED', `${at} rejected the delivery (${status})`, { ...base, details });
}

function safeOrigin(location: string): string {
  try {
    const u = new URL(location);
    return `${u.protocol}//${u.host}`;
  } catch {
    return '(relative)';
  }
}
