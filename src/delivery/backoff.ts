/** Exponential backoff with jitter for outbox retries, never sooner than a provider's own reset time. */
export interface BackoffPolicy {
  baseDelayMs: number;
  maxDelayMs: number;
}

/** Delay before attempt `n + 1` after `n` failed attempts: base * 2^(n-1), capped, jittered to 50-100 %. */
export function retryDelay(policy: BackoffPolicy, attempts: number, random: () => number = Math.random, retryAfterMs?: number): number {
  const exp = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** Math.max(0, Math.min(30, attempts - 1)));
  const jittered = Math.round(exp / 2 + (random() * exp) / 2);
  return retryAfterMs !== undefined ? Math.max(jittered, Math.min(retryAfterMs, policy.maxDelayMs)) : jittered;
}
