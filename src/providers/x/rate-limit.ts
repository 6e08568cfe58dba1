/**
 * X rate-limit headers. Every response carries the 15-minute window (`x-rate-limit-*`);
 * `POST /2/tweets` also carries 24-hour caps per user and per app (`x-user-limit-24hour-*`,
 * `x-app-limit-24hour-*`). A 429 whose 15-minute window still has room is a 24-hour cap.
 */
import type { RateLimitState } from '../../core/provider.js';
import { parseEpochSecondsReset } from '../http/retry-after.js';

interface XWindow {
  limit?: number;
  remaining?: number;
  /** Milliseconds until the window resets. */
  resetInMs?: number;
}

export interface XRateLimits {
  window: XWindow;
  user24h: XWindow;
  app24h: XWindow;
}

export interface XThrottle {
  /** `quota` for a 24-hour cap (the provider is out until the day resets), `rate_limited` for the 15-minute window. */
  kind: 'quota' | 'rate_limited';
  window: '15min' | '24h-user' | '24h-app' | '24h';
  retryAfterMs: number;
}

/** Used when a 429 names no reset time. */
const DEFAULT_WINDOW_MS = 15 * 60_000;

function readWindow(headers: Headers, prefix: string, now: number): XWindow {
  const num = (name: string): number | undefined => {
    const v = headers.get(`${prefix}-${name}`);
    return v !== null && /^\d+$/.test(v.trim()) ? Number(v) : undefined;
  };
  return { limit: num('limit'), remaining: num('remaining'), resetInMs: parseEpochSecondsReset(headers.get(`${prefix}-reset`), now) };
}

export function readRateLimits(headers: Headers, now: number): XRateLimits {
  return {
    window: readWindow(headers, 'x-rate-limit', now),
    user24h: readWindow(headers, 'x-user-limit-24hour', now),
    app24h: readWindow(headers, 'x-app-limit-24hour', now),
  };
}

export function classify429(limits: XRateLimits): XThrottle {
  const { window, user24h, app24h } = limits;
  const spent = [
    { name: '24h-user' as const, w: user24h },
    { name: '24h-app' as const, w: app24h },
  ].filter((x) => x.w.remaining === 0);
  if (spent.length > 0) {
    const longest = spent.reduce((a, b) => ((b.w.resetInMs ?? 0) > (a.w.resetInMs ?? 0) ? b : a));
    return { kind: 'quota', window: longest.name, retryAfterMs: longest.w.resetInMs ?? window.resetInMs ?? DEFAULT_WINDOW_MS };
  }
  if (window.remaining === undefined || window.remaining === 0) {
    return { kind: 'rate_limited', window: '15min', retryAfterMs: window.resetInMs ?? DEFAULT_WINDOW_MS };
  }
  // Room left in the 15-minute window: a 24-hour cap whose bucket the headers do not show as spent.
  const resets = [user24h.resetInMs, app24h.resetInMs].filter((v): v is number => v !== undefined);
  return { kind: 'quota', window: '24h', retryAfterMs: resets.length ? Math.max(...resets) : (window.resetInMs ?? DEFAULT_WINDOW_MS) };
}

/** The window with the fewest requests left (15 minutes, or a 24-hour cap), as the engine's RateLimitState. */
export function xRateLimitState(limits: XRateLimits, now: number): RateLimitState | undefined {
  const windows = [
    { window: '15min', w: limits.window },
    { window: '24h', w: limits.user24h },
    { window: '24h', w: limits.app24h },
  ].filter((x) => x.w.remaining !== undefined);
  if (windows.length === 0) return undefined;
  const { window, w } = windows.reduce((a, b) => (b.w.remaining! < a.w.remaining! ? b : a));
  return { window, remaining: w.remaining!, limit: w.limit ?? null, resetAt: w.resetInMs === undefined ? null : now + w.resetInMs };
}
