/**
 * Reading an SMTP reply line: its enhanced status code (RFC 3463), whether it is a throttling
 * or quota reply, and a back-off time the text may name ("try again in 5 minutes").
 */

export const DEFAULT_THROTTLE_RETRY_MS = 60_000;
const MAX_RETRY_MS = 24 * 3_600_000;

/** `4.7.0` from `421 4.7.0 Try again later`, or undefined. */
export function enhancedCode(response: string): string | undefined {
  return /^\d{3}[ -]([245]\.\d{1,3}\.\d{1,3})\b/.exec(response.trim())?.[1];
}

const THROTTLE_TEXT =
  /rate|throttl|too many (?!recipients)|try again later|slow down|temporarily deferred|exceeded.*(connections|messages)/i;
const THROTTLE_CODES = new Set([421, 450, 451, 452]);

/** A 4xx reply that tells us to back off (rather than a local error or a busy mailbox). */
export function isThrottleReply(code: number, response: string): boolean {
  if (!THROTTLE_CODES.has(code)) return false;
  const enhanced = enhancedCode(response);
  return (enhanced !== undefined && enhanced.startsWith('4.7.')) || THROTTLE_TEXT.test(response);
}

/** A reply saying a sending quota is spent (Gmail `550 5.4.5 Daily user sending limit exceeded`). */
export function isQuotaReply(code: number, response: string): boolean {
  if (code < 400) return false;
  return enhancedCode(response) === '5.4.5' || /(daily|hourly|sending) (user )?(sending )?(quota|limit)|quota exceeded/i.test(response);
}

const UNIT_MS: Record<string, number> = { s: 1_000, m: 60_000, h: 3_600_000 };

/** A back-off the reply text names: "in 30 seconds", "after 5 min", "wait 2h". */
export function retryAfterFromText(response: string): number | undefined {
  const m = /(?:in|after|wait|retry|for)\s+(\d{1,6})\s*(s|secs?|seconds?|m|mins?|minutes?|h|hours?)\b/i.exec(response);
  if (!m) return undefined;
  const factor = UNIT_MS[m[2]!.charAt(0).toLowerCase()] ?? 1_000;
  return Math.min(Number(m[1]) * factor, MAX_RETRY_MS);
}
