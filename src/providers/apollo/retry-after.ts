/**
 * Apollo's rate-limit windows. Its limits are fixed windows per minute, hour and day, reported
 * on every answer (success too) by `x-rate-limit-minute` / `x-minute-requests-left`, `-hourly`
 * and `-daily` (windows taken as aligned to the UTC clock: [unverified]).
 * - `apolloRateLimit`: the tightest window of an answer, as the engine's RateLimitState.
 * - `apolloRetryAfterMs`: the 429 back-off. Apollo sends no Retry-After; the wait runs to the end
 *   of the longest exhausted window; failing that, the window named in the 429 message ("... is
 *   50 times per hour", under `error_message`, `error`, `message` or `detail`); failing that, 60 s.
 */
import type { RateLimitState } from '../../core/provider.js';
import { parseRetryAfter, untilMidnightUtc } from '../http/retry-after.js';
import { APOLLO_DEFAULT_RETRY_MS } from './options.js';

type Window = 'minute' | 'hour' | 'day';

function untilWindowEnd(window: Window, now: number): number {
  if (window === 'day') return untilMidnightUtc(now);
  const size = window === 'hour' ? 3_600_000 : 60_000;
  return size - (now % size);
}

/** The longest exhausted window according to the `x-*-requests-left` headers. */
function exhaustedWindow(headers: Headers): Window | undefined {
  const spent = (name: string): boolean => {
    const v = headers.get(name);
    return v !== null && /^-?\d+$/.test(v.trim()) && Number(v) <= 0;
  };
  if (spent('x-daily-requests-left')) return 'day';
  if (spent('x-hourly-requests-left')) return 'hour';
  if (spent('x-minute-requests-left')) return 'minute';
  return undefined;
}

const WINDOWS: readonly { window: Window; limit: string; left: string }[] = [
  { window: 'minute', limit: 'x-rate-limit-minute', left: 'x-minute-requests-left' },
  { window: 'hour', limit: 'x-rate-limit-hourly', left: 'x-hourly-requests-left' },
  { window: 'day', limit: 'x-rate-limit-daily', left: 'x-daily-requests-left' },
];

function count(headers: Headers, name: string): number | null {
  const v = headers.get(name)?.trim();
  return v !== undefined && /^-?\d+$/.test(v) ? Math.max(0, Number(v)) : null;
}

/** The window with the fewest requests left (the shorter one on a tie), or undefined without the headers. */
export function apolloRateLimit(headers: Headers, now: number): RateLimitState | undefined {
  let tightest: RateLimitState | undefined;
  for (const w of WINDOWS) {
    const remaining = count(headers, w.left);
    if (remaining === null) continue;
    if (tightest && tightest.remaining !== null && tightest.remaining <= remaining) continue;
    tightest = { remaining, limit: count(headers, w.limit), resetAt: now + untilWindowEnd(w.window, now), window: w.window };
  }
  return tightest;
}

export function apolloRetryAfterMs(headers: Headers, message: string, now: number): number {
  const explicit = parseRetryAfter(headers.get('retry-after'), now);
  if (explicit !== undefined) return explicit;
  const fromHeaders = exhaustedWindow(headers);
  if (fromHeaders) return untilWindowEnd(fromHeaders, now);
  const named = /times per (minute|hour|day)/i.exec(message)?.[1]?.toLowerCase() as Window | undefined;
  return named ? untilWindowEnd(named, now) : APOLLO_DEFAULT_RETRY_MS;
}
