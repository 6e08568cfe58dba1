/**
 * Apollo's 429 back-off. Apollo sends no Retry-After; its limits are fixed windows per minute,
 * hour and day, reported by `x-minute-requests-left`, `x-hourly-requests-left` and
 * `x-daily-requests-left`. The wait runs to the end of the longest exhausted window (windows
 * are taken as aligned to the UTC clock: [unverified]); failing that, the window named in the
 * 429 message ("... is 50 times per hour"); failing that, 60 seconds.
 */
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

export function apolloRetryAfterMs(headers: Headers, message: string, now: number): number {
  const explicit = parseRetryAfter(headers.get('retry-after'), now);
  if (explicit !== undefined) return explicit;
  const fromHeaders = exhaustedWindow(headers);
  if (fromHeaders) return untilWindowEnd(fromHeaders, now);
  const named = /times per (minute|hour|day)/i.exec(message)?.[1]?.toLowerCase() as Window | undefined;
  return named ? untilWindowEnd(named, now) : APOLLO_DEFAULT_RETRY_MS;
}
