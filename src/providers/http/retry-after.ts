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
