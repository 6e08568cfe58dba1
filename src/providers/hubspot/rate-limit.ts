/**
 * HubSpot's rate-limit state and its account time zone.
 * - Every answer carries the rolling 10-second window (`X-HubSpot-RateLimit-Max`, `-Remaining`,
 *   `-Interval-Milliseconds`) and, for private-app tokens, the daily one (`-Daily`,
 *   `-Daily-Remaining`). The daily limit resets at midnight in the account's time zone.
 * - The time zone comes from `GET /account-info/v3/details` (`timeZone`, an IANA name), read
 *   once when it is first needed and kept in the provider's state across restarts.
 */
import type { RateLimitState } from '../../core/provider.js';
import { untilMidnightIn, untilMidnightUtc } from '../http/retry-after.js';

const count = (headers: Headers, name: string): number | null => {
  const v = headers.get(name)?.trim();
  return v !== undefined && /^\d+$/.test(v) ? Number(v) : null;
};

/** Until the daily reset: midnight in the account's time zone (UTC when it is not known). */
export function untilDailyReset(timeZone: string | undefined, now: number): number {
  return timeZone ? untilMidnightIn(timeZone, now) : untilMidnightUtc(now);
}

/** The window with fewer requests left, or undefined when the answer carries no rate-limit headers. */
export function hubspotRateLimit(headers: Headers, now: number, timeZone: string | undefined): RateLimitState | undefined {
  const windows: RateLimitState[] = [];
  const left = count(headers, 'x-hubspot-ratelimit-remaining');
  if (left !== null) {
    const interval = count(headers, 'x-hubspot-ratelimit-interval-milliseconds');
    windows.push({
      window: '10s',
      remaining: left,
      limit: count(headers, 'x-hubspot-ratelimit-max'),
      resetAt: interval === null ? null : now + interval,
    });
  }
  const dailyLeft = count(headers, 'x-hubspot-ratelimit-daily-remaining');
  if (dailyLeft !== null) {
    windows.push({
      window: 'day',
      remaining: dailyLeft,
      limit: count(headers, 'x-hubspot-ratelimit-daily'),
      resetAt: now + untilDailyReset(timeZone, now),
    });
  }
  return windows.reduce<RateLimitState | undefined>(
    (a, b) => (a === undefined || (b.remaining ?? Infinity) < (a.remaining ?? Infinity) ? b : a),
    undefined,
  );
}

/** The account's IANA time zone from an `/account-info/v3/details` answer, when it is one this runtime knows. */
export function timeZoneOf(json: unknown): string | undefined {
  const tz = typeof json === 'object' && json !== null ? (json as { timeZone?: unknown }).timeZone : undefined;
  if (typeof tz !== 'string' || tz === '') return undefined;
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: tz });
    return tz;
  } catch {
    return undefined;
  }
}
