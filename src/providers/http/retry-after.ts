/** Parses provider back-off signals into milliseconds from `now`. */

/** `Retry-After`: delay in seconds, or an HTTP date. */
export function parseRetryAfter(value: string | null | undefined, now: number): number | undefined {
  if (!value) return undefined;
  const trimmed = value.trim();
  if (/^\d+(\.\d+)?$/.test(trimmed)) return Math.round(Number(trimmed) * 1000);
  const at = Date.parse(trimmed);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}

/** An epoch-seconds reset time (X's `x-rate-limit-reset`). */
export function parseEpochSecondsReset(value: string | null | undefined, now: number): number | undefined {
  if (!value || !/^\d+$/.test(value.trim())) return undefined;
  return Math.max(0, Number(value.trim()) * 1000 - now);
}

/** Milliseconds until the next midnight UTC (LinkedIn's daily reset). */
export function untilMidnightUtc(now: number): number {
  const d = new Date(now);
  return Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate() + 1) - now;
}

/** Milliseconds since local midnight at `t` in an IANA time zone. */
function sinceLocalMidnight(timeZone: string, t: number): number {
  const parts = new Intl.DateTimeFormat('en-US', {
    timeZone,
    hourCycle: 'h23',
    hour: 'numeric',
    minute: 'numeric',
    second: 'numeric',
  }).formatToParts(t);
  const part = (type: string): number => Number(parts.find((p) => p.type === type)?.value ?? 0);
  return ((part('hour') * 60 + part('minute')) * 60 + part('second')) * 1000 + (t % 1000);
}

/**
 * Until the next midnight in an IANA time zone (a HubSpot account's daily reset). A day with a
 * daylight-saving change is 23 or 25 hours long: one correction step lands on midnight exactly.
 * Throws RangeError for an unknown time zone.
 */
export function untilMidnightIn(timeZone: string, now: number): number {
  const day = 86_400_000;
  let wait = day - sinceLocalMidnight(timeZone, now);
  const drift = sinceLocalMidnight(timeZone, now + wait);
  if (drift !== 0) wait += drift > day / 2 ? day - drift : -drift;
  return wait;
}
