/**
 * X API v2 error answers (problem+json: `title`, `detail`, `type`, `status`, optional
 * `errors[]`) → GatewayError.
 */
import { GatewayError } from '../../core/errors.js';
import type { HttpResponse } from '../http/client.js';
import { parseRetryAfter } from '../http/retry-after.js';
import { scrubText } from '../http/scrub.js';
import { classify429, readRateLimits } from './rate-limit.js';

export interface XErrorInfo {
  provider: string;
  capability?: string;
  now: number;
  secrets: readonly (string | undefined)[];
}

export interface XProblem {
  title?: string;
  detail?: string;
  type?: string;
  status?: number;
  message?: string;
  parameters?: Record<string, unknown>;
  errors?: XProblem[];
}

export function problemText(p: XProblem): string {
  const parts = [p.detail, p.message, ...(p.errors ?? []).map((e) => e.message ?? e.detail)].filter(
    (s): s is string => typeof s === 'string',
  );
  return parts.join('; ');
}

function isDuplicateProblem(p: XProblem): boolean {
  return /duplicate content/i.test(problemText(p));
}

/** Maps a problem by its status (an HTTP status, or a problem's own `status` inside a 200 body). */
export function mapXProblem(status: number, problem: XProblem, headers: Headers, info: XErrorInfo): GatewayError {
  const text = scrubText(problemText(problem), info.secrets).slice(0, 300);
  const base = { provider: info.provider, capability: info.capability, status };
  const details: Record<string, unknown> = { providerCode: problem.type ?? problem.title };

  if (isDuplicateProblem(problem)) {
    return new GatewayError('GW_PROVIDER_DUPLICATE', 'X refused the post: duplicate content', {
      ...base,
      details: { ...details, reason: 'duplicate_content' },
    });
  }
  if (status === 401) return new GatewayError('GW_PROVIDER_AUTH', 'X refused the access token (401)', { ...base, details });
  if (status === 403) return new GatewayError('GW_PROVIDER_AUTH', `X forbids this (403): ${text}`, { ...base, details });
  if (status === 429) {
    const throttle = classify429(readRateLimits(headers, info.now));
    return throttle.kind === 'quota'
      ? new GatewayError('GW_PROVIDER_QUOTA', `X 24-hour posting cap reached (${throttle.window})`, {
          ...base,
          retryAfterMs: throttle.retryAfterMs,
          details: { ...details, window: throttle.window },
        })
      : new GatewayError('GW_PROVIDER_RATE_LIMITED', 'X rate limit reached (15-minute window)', {
          ...base,
          retryAfterMs: throttle.retryAfterMs,
          details: { ...details, window: throttle.window },
        });
  }
  if (status >= 500) {
    return new GatewayError('GW_PROVIDER_TRANSIENT', `X failed with ${status}`, {
      ...base,
      retryAfterMs: parseRetryAfter(headers.get('retry-after'), info.now),
      details,
    });
  }
  const errors = (problem.errors ?? []).map((e) => ({ message: e.message ?? e.detail, parameters: e.parameters }));
  return new GatewayError('GW_PROVIDER_REJECTED', `X rejected the request (${status}): ${text}`, {
    ...base,
    details: { ...details, errors },
  });
}

export function mapXError(res: HttpResponse, info: XErrorInfo): GatewayError {
  const problem = (typeof res.json === 'object' && res.json !== null ? res.json : { detail: res.text.slice(0, 200) }) as XProblem;
  return mapXProblem(res.status, problem, res.headers, info);
}
